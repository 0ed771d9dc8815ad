/**
 * A fetched `UsageHistory` back to OpenMetrics, for `tars snapshot --prometheus`: the snapshot
 * then carries the history the live plan read, and the OpenMetrics source (`source.ts`) reads it
 * back over the same window and step as the same samples, to float noise: CPU, peak memory,
 * throttled share, restarts, OOM kills and the time of the last one.
 *
 * The history holds one value per evaluation time (start, start + step, … end), already the
 * output of the queries, so the file is written for the reader's queries to give each value back:
 *
 * - `tars_history_step_seconds` (a gauge, the step, sampled at the window's start and end) says
 *   what the file is: the reader takes the window from it instead of from the samples (counters
 *   begin one step before it), and reads the counters of this file with `rate()` over one step.
 *   Its usual minimum of two 5-minute intervals (`DEFAULT_MIN_RATE_WINDOW_SECONDS`) would average
 *   two adjacent steps and flatten every single-step spike.
 * - CPU seconds and CFS periods are counters with a point at every step the history has a value
 *   for, and one a step before: each step's increase is its rate × step, alone in its range.
 * - Memory is the gauge itself, one sample per step: each step's peak is that sample (at steps of
 *   5 minutes or more; a shorter step's peak range is still the 5-minute lookback).
 * - Restarts and the OOMKilled reason are written so that the reader counts the same restarts
 *   and OOM kills, the last kill at the same step (see `eventSamples`).
 */
import type { ContainerEvents, ContainerKey, Sample, UsageHistory } from '../types.js';
import { SERIES } from '../queries.js';
import { formatOpenMetrics, type OpenMetricsFamily, type OpenMetricsSeries } from './write.js';

/**
 * The series that marks a file as a TARS history export: its value is the export's step, its
 * first and last sample times the window's start and end.
 */
export const EXPORT_STEP_SERIES = 'tars_history_step_seconds';

/** CFS enforces quota in 100 ms periods: ten a second. */
const CFS_PERIODS_PER_SECOND = 10;

/** How far after a missed step a counter starts again, in seconds (Prometheus keeps ms). */
const RESTART_OFFSET_SECONDS = 0.001;

function labels(key: ContainerKey, extra: Record<string, string> = {}): Record<string, string> {
  return { namespace: key.namespace, pod: key.pod, container: key.container, ...extra };
}

/**
 * Per-second rates at each step → a counter that rises by rate × step × `perSecond` over each
 * step, from a point one step before it: `rate()` over one step (closed range) holds just those
 * two points. After a gap (steps without a value: the container was gone) the counter starts
 * again from zero, as a new container's does, one step before its next value. When a single
 * step is missing that point would share the missing step's range with the last one and give it
 * a rate it did not have: it goes 1 ms later, where it only opens the next step's range.
 */
export function stepCounter(samples: readonly Sample[], step: number, perSecond = 1): Sample[] {
  const out: Sample[] = [];
  let total = 0;
  for (const s of samples) {
    const from = s.t - step;
    const previous = out.at(-1);
    if (previous === undefined || previous.t < from) {
      total = 0;
      const oneStepMissing = previous !== undefined && previous.t >= from - step;
      out.push({ t: oneStepMissing ? from + RESTART_OFFSET_SECONDS : from, v: 0 });
    }
    total += s.v * step * perSecond;
    out.push({ t: s.t, v: total });
  }
  return out;
}

/** The first evaluation time at or after t, within the window: where the reader sees t. */
function onGrid(t: number, start: number, end: number, step: number): number {
  const index = Math.max(0, Math.ceil((t - start) / step));
  return Math.min(end, start + index * step);
}

/**
 * A container's restarts counter and OOMKilled reason, such that the reader (`oomKillTimes`,
 * `counterIncrease`) finds its restarts, OOM kills and last kill time again. The reader sees a
 * gauge at an evaluation time and at the next (the lookback is closed); it counts a restart as
 * an OOM kill when the reason shows OOMKilled at the step the counter rises, and when no rise
 * does, one kill at the first step the reason shows. So: the kills are a rise at the last kill's
 * step with the reason 1 there; the other restarts a rise at another step (the end, else the
 * step before the kill) with the reason 0 there. A kill without as many restarts seen (killed
 * before the window) or at the window's start is the reason alone, first shown at that step.
 * Which of the earlier kills happened when is not in the history: they go with the last.
 */
export function eventSamples(
  events: ContainerEvents,
  window: UsageHistory['window'],
): { restarts: Sample[]; oomKilled: Sample[] } {
  const { start, end, stepSeconds: step } = window;
  const restarts: Sample[] = [{ t: start, v: 0 }];
  if (events.oomKills === 0) {
    if (events.restarts > 0 && end > start) restarts.push({ t: end, v: events.restarts });
    return { restarts, oomKilled: [] };
  }
  const killedAt = onGrid(events.lastOomKillAt ?? end, start, end, step);
  const fromRestarts = killedAt > start && events.restarts >= events.oomKills;
  const points = [{ t: killedAt, rise: fromRestarts ? events.oomKills : 0, reason: 1 }];
  const others = events.restarts - points[0].rise;
  if (others > 0) {
    const at = [end, killedAt - step].find((t) => t > start && t !== killedAt);
    // Only a window of two steps has no other step: no fetched history has restarts there
    // that were not kills (every rise at the kill's step counts as one).
    if (at === undefined) points[0].rise += others;
    else points.push({ t: at, rise: others, reason: 0 });
  }
  points.sort((a, b) => a.t - b.t);
  const oomKilled: Sample[] = [];
  let total = 0;
  for (const p of points) {
    total += p.rise;
    if (p.t > start) restarts.push({ t: p.t, v: total });
    oomKilled.push({ t: p.t, v: p.reason });
  }
  return { restarts, oomKilled };
}

export function historyToOpenMetrics(history: UsageHistory): string {
  const { window } = history;
  const step = window.stepSeconds;
  const cpu: OpenMetricsSeries[] = [];
  const memory: OpenMetricsSeries[] = [];
  const periods: OpenMetricsSeries[] = [];
  const throttled: OpenMetricsSeries[] = [];
  for (const c of history.containers) {
    if (c.cpu.length > 0)
      cpu.push({ name: SERIES.cpu, labels: labels(c.key), samples: stepCounter(c.cpu, step) });
    if (c.memory.length > 0)
      memory.push({ name: SERIES.memory, labels: labels(c.key), samples: c.memory });
    if (c.throttled !== undefined && c.throttled.length > 0) {
      const all = c.throttled.map((s) => ({ t: s.t, v: 1 }));
      periods.push({
        name: SERIES.periods,
        labels: labels(c.key),
        samples: stepCounter(all, step, CFS_PERIODS_PER_SECOND),
      });
      throttled.push({
        name: SERIES.throttledPeriods,
        labels: labels(c.key),
        samples: stepCounter(c.throttled, step, CFS_PERIODS_PER_SECOND),
      });
    }
  }
  const restarts: OpenMetricsSeries[] = [];
  const oom: OpenMetricsSeries[] = [];
  // Every container kube-state-metrics knew, restarted or not: the reader lists the same ones.
  for (const e of history.events) {
    const samples = eventSamples(e, window);
    restarts.push({ name: SERIES.restarts, labels: labels(e.key), samples: samples.restarts });
    if (samples.oomKilled.length > 0) {
      oom.push({
        name: SERIES.lastTerminatedReason,
        labels: labels(e.key, { reason: 'OOMKilled' }),
        samples: samples.oomKilled,
      });
    }
  }
  const marker: OpenMetricsSeries = {
    name: EXPORT_STEP_SERIES,
    labels: {},
    samples: [...new Set([window.start, window.end])].map((t) => ({ t, v: step })),
  };
  const families: OpenMetricsFamily[] = [
    {
      name: EXPORT_STEP_SERIES,
      type: 'gauge',
      help: 'Step of this history export, sampled at its first and last evaluation time; its counters are read with rate() over one step.',
      series: [marker],
    },
    { name: SERIES.cpu, type: 'counter', series: cpu },
    { name: SERIES.memory, type: 'gauge', series: memory },
    { name: SERIES.periods, type: 'counter', series: periods },
    { name: SERIES.throttledPeriods, type: 'counter', series: throttled },
    { name: SERIES.restarts, type: 'counter', series: restarts },
    { name: SERIES.lastTerminatedReason, type: 'gauge', series: oom },
  ];
  return formatOpenMetrics(families.filter((f) => f.series.length > 0));
}
