/**
 * Phase 3 rollout in waves. A wave is the next `waveSize` workloads whose changes are not yet in
 * the base branch: first those with a change fixing a failure seen in the cluster (an OOM-killed
 * or throttled container whose resources it raises), then the rest, lowest risk first. A fix
 * waits for no saving: holding it back keeps the failure going while cuts go out. While a wave's pull request is open its workloads are still
 * missing from base, so a re-run picks the same wave and updates the same pull request; once it
 * merges, the next run proposes the next wave. No state is kept outside Git.
 */
import type { Change } from '../model/types.js';
import { workloadKey } from './risk.js';

export interface WavePlan {
  /** 1-based number of the wave proposed now: waves already merged + 1. */
  readonly wave: number;
  readonly changes: readonly Change[];
  /** Workloads left for later waves. */
  readonly remaining: number;
}

/** The workload a change belongs to for wave purposes, else its target. */
export function groupKey(change: Change): string {
  return workloadKey(change.workload ?? change.target);
}

export function planWave(
  pending: readonly Change[],
  options: {
    readonly waveSize: number;
    /** Workloads base already holds changes of. */
    readonly alreadyApplied: number;
    /** The highest wave number base records, when it records them (older records do not). */
    readonly lastMergedWave?: number;
  },
): WavePlan {
  const groups = new Map<string, Change[]>();
  for (const change of pending)
    groups.set(groupKey(change), [...(groups.get(groupKey(change)) ?? []), change]);
  const riskOf = (changes: Change[]) => Math.max(...changes.map((c) => c.risk?.score ?? 0));
  // 0 for a workload with a fix among its changes, 1 for the rest: fixes sort first.
  const fixRank = (changes: Change[]) => (changes.some(isFix) ? 0 : 1);
  const ordered = [...groups.entries()].sort(
    ([ka, a], [kb, b]) => fixRank(a) - fixRank(b) || riskOf(a) - riskOf(b) || ka.localeCompare(kb),
  );
  const chosen = ordered.slice(0, options.waveSize);
  return {
    wave:
      options.lastMergedWave !== undefined
        ? options.lastMergedWave + 1
        : // A partly filled merged wave (the last one, or one of a smaller waveSize) is a wave.
          Math.ceil(options.alreadyApplied / Math.max(1, options.waveSize)) + 1,
    changes: chosen.flatMap(([, changes]) => changes),
    remaining: ordered.length - chosen.length,
  };
}

/** Whether a change remedies a failure seen in the cluster (see `Change.fixes`). */
export function isFix(change: Change): boolean {
  return (change.fixes?.length ?? 0) > 0;
}

/** Phase 4: a pull request is labelled for auto-merge when every change is under the threshold. */
export function autoMergeEligible(changes: readonly Change[], threshold: number): boolean {
  return changes.length > 0 && changes.every((c) => (c.risk?.score ?? 1) < threshold);
}
