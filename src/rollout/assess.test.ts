import { describe, expect, it } from 'vitest';
import { SnapshotClusterSource } from '../cluster/snapshot/index.js';
import { DEFAULT_POLICY } from '../policy/defaults.js';
import { analyze } from '../plan/analyze.js';

describe('attachRisks on the bundled example', () => {
  it('explains every change, rating shared single-replica services higher', async () => {
    const snapshot = await SnapshotClusterSource.fromDirectory('examples/online-boutique').read();
    const model = analyze({ snapshot, policy: DEFAULT_POLICY });
    expect(model.changes.length).toBeGreaterThan(0);
    for (const change of model.changes) {
      expect(change.risk, change.id).toBeDefined();
      expect(change.risk!.reasons.length, change.id).toBeGreaterThan(0);
    }
    const adopt = (name: string) =>
      model.changes.find(
        (c) => c.concern === 'takeover' && c.target.kind === 'Deployment' && c.target.name === name,
      )!;
    // frontend and checkoutservice both call cartservice; nobody calls the load generator.
    expect(adopt('cartservice').risk!.reasons).toContain('2 workload(s) depend on it');
    expect(adopt('loadgenerator').risk!.reasons.join(' ')).not.toMatch(/depend on it/);
    expect(adopt('cartservice').risk!.score).toBeGreaterThan(adopt('loadgenerator').risk!.score);
  });
});
