/** Usage histories for tests and benchmarks of the right-sizing estimates. */
import type { ContainerHistoryInput } from '../../src/analyzers/rightsizing/recommend.js';
import type { Sample } from '../../src/metrics/types.js';

/** One pod's CPU samples and nothing else (no memory, no events), high confidence. */
export function cpuOnlyHistory(
  cpu: readonly Sample[],
  stepSeconds: number,
  now: number,
): ContainerHistoryInput {
  return {
    cpu: [cpu],
    memory: [[]],
    throttled: [],
    oomKills: 0,
    restarts: 0,
    confidence: 'high',
    stepSeconds,
    now,
  };
}
