/**
 * A fetched `UsageHistory` back to OpenMetrics, for `tars snapshot --prometheus`: the snapshot
 * then carries the same history the OpenMetrics source reads back. Rates are integrated into
 * counters again (cpu seconds, CFS periods); restarts and OOM kills become end-of-window values.
 */
import type { ContainerKey, Sample, UsageHistory } from '../types.js';
import { SERIES } from '../queries.js';
import { formatOpenMetrics, type OpenMetricsFamily, type OpenMetricsSeries } from './write.js';

/** CFS enforces quota in 100 ms periods: ten a second. */
const CFS_PERIODS_PER_SECOND = 10;

function labels(key: ContainerKey, extra: Record<string, string> = {}): Record<string, string> {
  return { namespace: key.namespace, pod: key.pod, container: key.container, ...extra };
}

/** Turns per-second rates at each step into a counter that starts at 0 one step earlier. */
function integrate(samples: readonly Sample[], stepSeconds: number, scale = 1): Sample[] {
  if (samples.length === 0) return [];
  let total = 0;
  const out: Sample[] = [{ t: samples[0].t - stepSeconds, v: 0 }];
  for (const s of samples) {
    total += s.v * stepSeconds * scale;
    out.push({ t: s.t, v: Number(total.toFixed(6)) });
  }
  return out;
}

export function historyToOpenMetrics(history: UsageHistory): string {
  const step = history.window.stepSeconds;
  const cpu: OpenMetricsSeries[] = [];
  const memory: OpenMetricsSeries[] = [];
  const periods: OpenMetricsSeries[] = [];
  const throttled: OpenMetricsSeries[] = [];
  for (const c of history.containers) {
    if (c.cpu.length > 0)
      cpu.push({ name: SERIES.cpu, labels: labels(c.key), samples: integrate(c.cpu, step) });
    if (c.memory.length > 0)
      memory.push({ name: SERIES.memory, labels: labels(c.key), samples: c.memory });
    if (c.throttled !== undefined && c.throttled.length > 0) {
      const all = c.throttled.map((s) => ({ t: s.t, v: 1 }));
      periods.push({
        name: SERIES.periods,
        labels: labels(c.key),
        samples: integrate(all, step, CFS_PERIODS_PER_SECOND),
      });
      throttled.push({
        name: SERIES.throttledPeriods,
        labels: labels(c.key),
        samples: integrate(c.throttled, step, CFS_PERIODS_PER_SECOND),
      });
    }
  }
  const restarts: OpenMetricsSeries[] = [];
  const oom: OpenMetricsSeries[] = [];
  const { start, end } = history.window;
  for (const e of history.events) {
    if (e.restarts > 0) {
      restarts.push({
        name: SERIES.restarts,
        labels: labels(e.key),
        samples: [
          { t: start, v: 0 },
          { t: end, v: e.restarts },
        ],
      });
    }
    if (e.oomKills > 0) {
      oom.push({
        name: SERIES.lastTerminatedReason,
        labels: labels(e.key, { reason: 'OOMKilled' }),
        samples: [
          { t: start, v: 0 },
          { t: end, v: 1 },
        ],
      });
    }
  }
  const families: OpenMetricsFamily[] = [
    { name: SERIES.cpu, type: 'counter', series: cpu },
    { name: SERIES.memory, type: 'gauge', series: memory },
    { name: SERIES.periods, type: 'counter', series: periods },
    { name: SERIES.throttledPeriods, type: 'counter', series: throttled },
    { name: SERIES.restarts, type: 'counter', series: restarts },
    { name: SERIES.lastTerminatedReason, type: 'gauge', series: oom },
  ];
  return formatOpenMetrics(families.filter((f) => f.series.length > 0));
}
