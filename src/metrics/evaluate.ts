/**
 * Local evaluation of the history queries (`queries.ts`) over raw samples, reproducing what
 * Prometheus computes for a range query: evaluation at start, start + step, … ≤ end; a gauge's
 * value is its last sample within the lookback; `max_over_time()` is the largest sample in its
 * range; `rate()` is Prometheus's extrapolated rate (counter resets, extrapolation to the range
 * edges capped at 1.1 × the sample spacing and at the counter's zero point); `sum`/`max by
 * (namespace, pod, container)` aggregate per step. Ranges are closed, [t − range, t], as in
 * Prometheus 2.
 */
import { appendSamples, type SignalSeries } from './assemble.js';
import { LOOKBACK_SECONDS, peakRangeMs, rateWindowFor, SERIES, type Signal } from './queries.js';
import type { ContainerKey, HistoryQuery, Sample } from './types.js';

export interface RawSeries {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Sorted by time, one sample per timestamp. */
  readonly samples: readonly Sample[];
  /**
   * How far apart a counter's samples are, exactly, on the evaluation times: a file that says so
   * (a TARS history export, see `export.ts`). `rate()` over that range (closed) always holds two
   * samples, so it needs no wider minimum, which would average adjacent steps.
   */
  readonly sampleIntervalSeconds?: number;
}

export function evaluationTimes(start: number, end: number, step: number): number[] {
  const times: number[] = [];
  for (let t = start; t <= end; t += step) times.push(t);
  return times;
}

/** Index of the first sample with time ≥ t (or > t when `strict`). */
function bound(samples: readonly Sample[], t: number, strict: boolean): number {
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const before = strict ? samples[mid].t <= t : samples[mid].t < t;
    if (before) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Samples with time in [from, to]. */
function between(samples: readonly Sample[], from: number, to: number): readonly Sample[] {
  return samples.slice(bound(samples, from, false), bound(samples, to, true));
}

export function gaugeAt(
  samples: readonly Sample[],
  t: number,
  lookback = LOOKBACK_SECONDS,
): number | undefined {
  const window = between(samples, t - lookback, t);
  return window.at(-1)?.v;
}

/**
 * `max_over_time(x[rangeMs ms])` at t: the largest sample in [t − range, t]. The edge is
 * computed in whole milliseconds, as Prometheus stores sample times.
 */
export function maxOverTime(
  samples: readonly Sample[],
  t: number,
  rangeMs: number,
): number | undefined {
  const from = (Math.round(t * 1000) - rangeMs) / 1000;
  let peak: number | undefined;
  for (const s of between(samples, from, t)) peak = larger(peak, s.v);
  return peak;
}

/** The larger of two, as Prometheus's `max` and `max_over_time` take it: a NaN only beats nothing. */
function larger(a: number | undefined, b: number): number {
  return a === undefined || b > a || Number.isNaN(a) ? b : a;
}

/** Prometheus's `rate(x[range])` at t (promql/functions.go `extrapolatedRate`). */
export function rateAt(samples: readonly Sample[], t: number, range: number): number | undefined {
  const points = between(samples, t - range, t);
  if (points.length < 2) return undefined;
  const first = points[0];
  const last = points.at(-1)!;
  let increase = last.v - first.v;
  for (let i = 1; i < points.length; i++) {
    if (points[i].v < points[i - 1].v) increase += points[i - 1].v;
  }
  const sampledInterval = last.t - first.t;
  const averageSpacing = sampledInterval / (points.length - 1);
  let toStart = first.t - (t - range);
  const toEnd = t - last.t;
  if (increase > 0 && first.v >= 0) {
    const toZero = sampledInterval * (first.v / increase);
    if (toZero < toStart) toStart = toZero;
  }
  const threshold = averageSpacing * 1.1;
  let interval = sampledInterval;
  interval += toStart < threshold ? toStart : averageSpacing / 2;
  interval += toEnd < threshold ? toEnd : averageSpacing / 2;
  return (increase * (interval / sampledInterval)) / range;
}

type Aggregate = 'sum' | 'max';
type Evaluate = (series: RawSeries, t: number) => number | undefined;

function keyOf(labels: Readonly<Record<string, string>>): ContainerKey | undefined {
  const { namespace, pod, container } = labels;
  if (namespace === undefined || pod === undefined || container === undefined) return undefined;
  return { namespace, pod, container };
}

/** `aggregate by (namespace, pod, container) (evaluate(series))` at each time. */
function aggregateBy(
  series: readonly RawSeries[],
  times: readonly number[],
  evaluate: Evaluate,
  aggregate: Aggregate,
): SignalSeries {
  const groups = new Map<string, { key: ContainerKey; members: RawSeries[] }>();
  for (const s of series) {
    const key = keyOf(s.labels);
    if (key === undefined) continue;
    const id = `${key.namespace}/${key.pod}/${key.container}`;
    const group = groups.get(id) ?? { key, members: [] };
    group.members.push(s);
    groups.set(id, group);
  }
  const result: SignalSeries = new Map();
  for (const { key, members } of groups.values()) {
    const samples: Sample[] = [];
    for (const t of times) {
      let value: number | undefined;
      for (const member of members) {
        const v = evaluate(member, t);
        if (v === undefined) continue;
        value = value === undefined || aggregate === 'max' ? larger(value, v) : value + v;
      }
      if (value !== undefined && Number.isFinite(value)) samples.push({ t, v: value });
    }
    if (samples.length > 0) appendSamples(result, key, samples);
  }
  return result;
}

function divide(numerator: SignalSeries, denominator: SignalSeries): SignalSeries {
  const result: SignalSeries = new Map();
  for (const [id, { key, samples }] of numerator) {
    const below = new Map((denominator.get(id)?.samples ?? []).map((s) => [s.t, s.v]));
    const ratios: Sample[] = [];
    for (const { t, v } of samples) {
      const d = below.get(t);
      if (d !== undefined && Number.isFinite(v / d)) ratios.push({ t, v: v / d });
    }
    if (ratios.length > 0) appendSamples(result, key, ratios);
  }
  return result;
}

export interface EvaluateOptions {
  readonly query: HistoryQuery;
  /** The `rate()` range, but for series that give their sample interval (see `RawSeries`). */
  readonly rateWindowSeconds: number;
}

/** The five signals over the raw series, as the Prometheus source would fetch them. */
export function evaluateSignals(
  raw: readonly RawSeries[],
  { query, rateWindowSeconds }: EvaluateOptions,
): Record<Signal, SignalSeries> {
  const namespaces = new Set(query.namespaces);
  const inScope = (s: RawSeries): boolean =>
    namespaces.size === 0 || namespaces.has(s.labels.namespace ?? '');
  const cadvisor = (name: string): RawSeries[] =>
    raw.filter(
      (s) =>
        s.name === name &&
        inScope(s) &&
        (s.labels.container ?? '') !== '' &&
        s.labels.container !== 'POD',
    );
  const times = evaluationTimes(query.start, query.end, query.stepSeconds);
  const rate: Evaluate = (series, t) =>
    rateAt(
      series.samples,
      t,
      series.sampleIntervalSeconds === undefined
        ? rateWindowSeconds
        : rateWindowFor(query.stepSeconds, series.sampleIntervalSeconds),
    );
  const gauge: Evaluate = (series, t) => gaugeAt(series.samples, t);
  const peakRange = peakRangeMs(query.stepSeconds);
  const peak: Evaluate = (series, t) => maxOverTime(series.samples, t, peakRange);
  return {
    cpu: aggregateBy(cadvisor(SERIES.cpu), times, rate, 'sum'),
    memory: aggregateBy(cadvisor(SERIES.memory), times, peak, 'max'),
    throttled: divide(
      aggregateBy(cadvisor(SERIES.throttledPeriods), times, rate, 'sum'),
      aggregateBy(cadvisor(SERIES.periods), times, rate, 'sum'),
    ),
    restarts: aggregateBy(
      raw.filter((s) => s.name === SERIES.restarts && inScope(s)),
      times,
      gauge,
      'max',
    ),
    oomKilled: aggregateBy(
      raw.filter(
        (s) =>
          s.name === SERIES.lastTerminatedReason && inScope(s) && s.labels.reason === 'OOMKilled',
      ),
      times,
      gauge,
      'max',
    ),
  };
}
