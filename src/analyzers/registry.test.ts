// Conformance over the analyzer registry: every analyzer has its folder with the same files,
// a unique id, and is pure (same input, same output; its input left untouched).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { container, deployment, snapshotOf } from '../../test/support/objects.js';
import { DEFAULT_POLICY } from '../policy/defaults.js';
import { ANALYZERS } from './registry.js';

const here = dirname(fileURLToPath(import.meta.url));

const snapshot = snapshotOf(
  [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } },
    deployment({ name: 'web', namespace: 'app', replicas: 1, containers: [container('web')] }),
  ],
  { clusterName: 'conformance' },
);

describe('analyzer registry', () => {
  it('has unique ids, starting with inventory', () => {
    const ids = ANALYZERS.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]).toBe('inventory');
  });

  describe.each(ANALYZERS.map((a) => [a.id, a] as const))('%s', (id, analyzer) => {
    it('lives in its own folder with index.ts and types.ts', () => {
      expect(existsSync(join(here, id, 'index.ts'))).toBe(true);
      expect(existsSync(join(here, id, 'types.ts'))).toBe(true);
      expect(analyzer.description.length).toBeGreaterThan(10);
    });

    it('is pure: deterministic and leaves its input untouched', () => {
      const workloads =
        ANALYZERS[0].analyze({ snapshot, policy: DEFAULT_POLICY, workloads: [] }).workloads ?? [];
      const before = JSON.stringify(snapshot);
      const first = analyzer.analyze({ snapshot, policy: DEFAULT_POLICY, workloads });
      const second = analyzer.analyze({ snapshot, policy: DEFAULT_POLICY, workloads });
      expect(JSON.stringify(first)).toBe(JSON.stringify(second));
      expect(JSON.stringify(snapshot)).toBe(before);
    });
  });
});
