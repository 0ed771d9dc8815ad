import { describe, expect, it } from 'vitest';
import { SnapshotClusterSource } from '../cluster/snapshot/index.js';
import { DEFAULT_POLICY } from '../policy/defaults.js';
import type { Policy } from '../policy/types.js';
import { analyze } from './analyze.js';
import {
  APPLIED_CHANGES_FILE,
  AUTO_MERGE_LABEL,
  concernRenderer,
  concernsForPhase,
} from './propose.js';

const snapshot = await SnapshotClusterSource.fromDirectory('examples/online-boutique').read();

function policyWith(rollout: Partial<Policy['rollout']>): Policy {
  return { ...DEFAULT_POLICY, rollout: { ...DEFAULT_POLICY.rollout, ...rollout } };
}

const emptyBase = () => Promise.resolve(undefined);

describe('concernRenderer', () => {
  it('phase 4 labels a wave for auto-merge only when every change is under the threshold', async () => {
    const model = analyze({ snapshot, policy: policyWith({ phase: 4 }) });
    const lenient = await concernRenderer(
      model,
      'takeover',
      policyWith({ phase: 4, autoMergeRiskBelow: 1 }),
    )(emptyBase);
    expect(lenient?.labels).toEqual([AUTO_MERGE_LABEL]);
    const strict = await concernRenderer(
      model,
      'takeover',
      policyWith({ phase: 4, autoMergeRiskBelow: 0.01 }),
    )(emptyBase);
    expect(strict?.labels).toBeUndefined();
    const phase3 = await concernRenderer(
      model,
      'takeover',
      policyWith({ phase: 3, autoMergeRiskBelow: 1 }),
    )(emptyBase);
    expect(phase3?.labels).toBeUndefined();
  });

  it('proposes nothing once base holds every change', async () => {
    const policy = policyWith({ waveSize: 100 });
    const model = analyze({ snapshot, policy });
    const all = await concernRenderer(model, 'takeover', policy)(emptyBase);
    const applied = all!.files.get(APPLIED_CHANGES_FILE)!;
    const base = (rel: string) =>
      Promise.resolve(rel === APPLIED_CHANGES_FILE ? applied : undefined);
    expect(await concernRenderer(model, 'takeover', policy)(base)).toBeUndefined();
  });

  it('rejects a corrupt record on the base branch with a clear error', async () => {
    const model = analyze({ snapshot, policy: DEFAULT_POLICY });
    const base = () => Promise.resolve('{"changes": [{"id": 1}]}');
    await expect(concernRenderer(model, 'takeover', DEFAULT_POLICY)(base)).rejects.toThrow(
      /\.tars\/changes\.json on the base branch/,
    );
  });
});

describe('concernsForPhase', () => {
  it('follows the four phases', () => {
    const model = analyze({ snapshot, policy: DEFAULT_POLICY });
    expect(concernsForPhase(model, 1)).toEqual(['bootstrap']);
    expect(concernsForPhase(model, 2)).toEqual([]);
    expect(concernsForPhase(model, 3)).toEqual(concernsForPhase(model, 4));
    expect(concernsForPhase(model, 3).slice(0, 2)).toEqual(['bootstrap', 'takeover']);
  });
});
