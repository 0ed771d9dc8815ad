/**
 * The series TARS reads and the PromQL it sends. Every query aggregates `by (namespace, pod,
 * container)` over a whole set of namespaces (or the whole cluster), so the number of queries
 * depends on the window, never on the number of workloads. The OpenMetrics source evaluates the
 * same expressions locally (see `evaluate.ts`), so both produce the same history.
 */
import { InputError } from '../errors.js';

export const SERIES = {
  cpu: 'container_cpu_usage_seconds_total',
  memory: 'container_memory_working_set_bytes',
  throttledPeriods: 'container_cpu_cfs_throttled_periods_total',
  periods: 'container_cpu_cfs_periods_total',
  restarts: 'kube_pod_container_status_restarts_total',
  lastTerminatedReason: 'kube_pod_container_status_last_terminated_reason',
} as const;

/** The per-step series a history is built from. */
export type Signal = 'cpu' | 'memory' | 'throttled' | 'restarts' | 'oomKilled';
export const SIGNALS: readonly Signal[] = ['cpu', 'memory', 'throttled', 'restarts', 'oomKilled'];

/**
 * Shortest `rate()` range. History is often stored at a 5-minute resolution (backfilled files,
 * downsampled Thanos): a `[5m]` range then holds one sample (Prometheus 3 excludes the left
 * edge), and `rate()` of one sample is empty. Twice the sample interval always holds two.
 */
export const DEFAULT_MIN_RATE_WINDOW_SECONDS = 600;

/** Prometheus's default lookback: a gauge's value at t is its last sample in [t − 5m, t]. */
export const LOOKBACK_SECONDS = 300;

/**
 * The step a history is read at when a caller names none: cAdvisor's scrape-friendly 5 minutes
 * (the plan's `HISTORY_STEP_SECONDS`).
 */
export const DEFAULT_STEP_SECONDS = 300;

/**
 * The range of `max_over_time` that gives a step's peak working set: the step less 1 ms, so each
 * sample counts in exactly one step, (t − step, t], and a peak between two evaluation times is
 * seen at the next one instead of being skipped. Prometheus 2 (2.42 here) selects a range closed
 * at both ends, [t − range, t]: a whole `[step]` would count a sample on the previous step
 * boundary twice, in both steps. Prometheus 3 leaves the left edge open, (t − range, t], where
 * one millisecond less only misses a sample stamped exactly 1 ms after the previous boundary.
 * Sample times are whole milliseconds in both, so 2's [t − step + 1 ms, t] is (t − step, t].
 * Steps shorter than the lookback get the lookback, so that each still finds a sample, as a
 * gauge's value would.
 */
export function peakRangeMs(stepSeconds: number): number {
  return Math.round(Math.max(stepSeconds, LOOKBACK_SECONDS) * 1000) - 1;
}

/** The `rate()` range for a step: the step itself (no sample skipped), at least the minimum. */
export function rateWindowFor(stepSeconds: number, minRateWindowSeconds: number): number {
  return Math.max(stepSeconds, minRateWindowSeconds);
}

const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Label matcher for the namespaces, `` for cluster-wide. Names are DNS labels: no escaping. */
export function namespaceMatcher(namespaces: readonly string[]): string {
  for (const namespace of namespaces) {
    if (!NAMESPACE_NAME.test(namespace)) {
      throw new InputError(`"${namespace}" is not a valid namespace name`);
    }
  }
  const unique = [...new Set(namespaces)].sort();
  if (unique.length === 0) return '';
  if (unique.length === 1) return `namespace="${unique[0]}"`;
  return `namespace=~"${unique.join('|')}"`;
}

const BY = 'by (namespace, pod, container)';

/**
 * One query per signal, covering every container in the namespaces. Memory is each step's peak
 * working set (see `peakRangeMs`), not its value at the step's end: a spike between two
 * evaluation times would be lost otherwise, and memory peaks are what an OOM kill follows.
 */
export function historyQueries(
  namespaces: readonly string[],
  rateWindowSeconds: number,
  stepSeconds = DEFAULT_STEP_SECONDS,
): Record<Signal, string> {
  const ns = namespaceMatcher(namespaces);
  // cAdvisor also reports the pod's sandbox (`POD`) and cgroup totals (no container label).
  const cadvisor = ['container!=""', 'container!="POD"', ns].filter((m) => m !== '').join(',');
  const ksm = ns === '' ? '' : `{${ns}}`;
  const range = `[${rateWindowSeconds}s]`;
  const rate = (name: string): string => `sum ${BY} (rate(${name}{${cadvisor}}${range}))`;
  return {
    cpu: rate(SERIES.cpu),
    memory: `max ${BY} (max_over_time(${SERIES.memory}{${cadvisor}}[${peakRangeMs(stepSeconds)}ms]))`,
    throttled: `${rate(SERIES.throttledPeriods)} / ${rate(SERIES.periods)}`,
    // Raw counter, max over duplicates (several kube-state-metrics replicas); increases are
    // counted client-side, identically for every source.
    restarts: `max ${BY} (${SERIES.restarts}${ksm})`,
    oomKilled: `max ${BY} (${SERIES.lastTerminatedReason}{${['reason="OOMKilled"', ns].filter((m) => m !== '').join(',')}})`,
  };
}
