/**
 * Usage history from the Prometheus HTTP API. One range query per signal (five in all) for the
 * whole set of namespaces, aggregated `by (namespace, pod, container)`: the query count grows
 * with the window length, never with the number of workloads. Long windows are cut into chunks
 * of at most `maxPointsPerSeries` steps (Prometheus refuses more than 11,000); a response that
 * is too large splits its window in halves and retries each.
 */
import pLimit from 'p-limit';
import { InputError } from '../../errors.js';
import { appendSamples, assembleHistory, type SignalSeries } from '../assemble.js';
import {
  DEFAULT_MIN_RATE_WINDOW_SECONDS,
  historyQueries,
  rateWindowFor,
  SIGNALS,
  type Signal,
} from '../queries.js';
import type {
  ContainerKey,
  HistoryQuery,
  Sample,
  UsageHistory,
  UsageHistorySource,
} from '../types.js';
import {
  PrometheusClient,
  QueryTooLargeError,
  type PrometheusConfig,
  type RetryOptions,
} from './client.js';
import type { MatrixSeries } from './schema.js';

export interface PrometheusSourceOptions extends RetryOptions {
  /** Most steps per series in one request. Default 11,000, Prometheus's own limit. */
  readonly maxPointsPerSeries?: number;
  /** See `DEFAULT_MIN_RATE_WINDOW_SECONDS`. */
  readonly minRateWindowSeconds?: number;
  /** Requests in flight at once. Default 2. */
  readonly concurrency?: number;
  /** Deepest halving of a window the server finds too large. Default 8 (1/256 of a chunk). */
  readonly maxSplitDepth?: number;
}

export const PROMETHEUS_MAX_POINTS = 11_000;

/** A window of evaluation times: start, start + step, … ≤ end. */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

/** Cuts [start, end] into windows of at most `maxPoints` evaluation times each. */
export function chunkWindow(
  start: number,
  end: number,
  step: number,
  maxPoints: number,
): TimeWindow[] {
  const chunks: TimeWindow[] = [];
  const span = (maxPoints - 1) * step;
  for (let chunkStart = start; chunkStart <= end; chunkStart += maxPoints * step) {
    chunks.push({ start: chunkStart, end: Math.min(end, chunkStart + span) });
  }
  return chunks;
}

function seriesKey(metric: Readonly<Record<string, string>>): ContainerKey | undefined {
  const { namespace, pod, container } = metric;
  if (namespace === undefined || pod === undefined || container === undefined) return undefined;
  return { namespace, pod, container };
}

function toSamples(values: MatrixSeries['values']): Sample[] {
  const samples: Sample[] = [];
  for (const [t, raw] of values) {
    const v = Number(raw);
    if (Number.isFinite(v)) samples.push({ t, v });
  }
  return samples;
}

export class PrometheusHistorySource implements UsageHistorySource {
  private readonly client: PrometheusClient;

  constructor(
    config: PrometheusConfig,
    private readonly options: PrometheusSourceOptions = {},
  ) {
    this.client = new PrometheusClient(config, options);
  }

  static fromConfig(
    config: PrometheusConfig,
    options?: PrometheusSourceOptions,
  ): PrometheusHistorySource {
    return new PrometheusHistorySource(config, options);
  }

  describe(): string {
    return this.client.description;
  }

  async fetch(query: HistoryQuery, progress?: (message: string) => void): Promise<UsageHistory> {
    checkQuery(query);
    const step = query.stepSeconds;
    const rateWindow = rateWindowFor(
      step,
      this.options.minRateWindowSeconds ?? DEFAULT_MIN_RATE_WINDOW_SECONDS,
    );
    const queries = historyQueries(query.namespaces, rateWindow, step);
    const maxPoints = Math.max(1, this.options.maxPointsPerSeries ?? PROMETHEUS_MAX_POINTS);
    const chunks = chunkWindow(query.start, query.end, step, maxPoints);
    const limit = pLimit(Math.max(1, this.options.concurrency ?? 2));
    const scope =
      query.namespaces.length === 0 ? 'cluster-wide' : `${query.namespaces.length} namespace(s)`;
    progress?.(
      `${this.describe()}: ${SIGNALS.length} queries × ${chunks.length} chunk(s), ${scope}`,
    );

    // One query failing for good fails the fetch: the others in flight are given up and the
    // queued ones dropped, or a stuck Prometheus would hold the process until their timeouts.
    const giveUp = new AbortController();
    const results = await Promise.all(
      SIGNALS.map((signal) =>
        Promise.all(
          chunks.map((chunk) =>
            limit(() =>
              this.rangeSplitting(queries[signal], chunk, step, 0, progress, giveUp.signal),
            ).catch((e: unknown) => {
              limit.clearQueue();
              giveUp.abort(e);
              throw e;
            }),
          ),
        ),
      ),
    );
    const signals = {} as Record<Signal, SignalSeries>;
    SIGNALS.forEach((signal, i) => {
      const series: SignalSeries = new Map();
      for (const chunkSeries of results[i]) {
        for (const s of chunkSeries) {
          const key = seriesKey(s.metric);
          const samples = toSamples(s.values);
          if (key !== undefined && samples.length > 0) appendSamples(series, key, samples);
        }
      }
      signals[signal] = series;
    });
    return assembleHistory(
      {
        source: this.describe(),
        confidence: 'high',
        window: { start: query.start, end: query.end, stepSeconds: step },
      },
      signals,
    );
  }

  /** One window; if the server finds it too large, each half in turn (chunks stay in order). */
  private async rangeSplitting(
    query: string,
    window: TimeWindow,
    step: number,
    depth: number,
    progress?: (message: string) => void,
    signal?: AbortSignal,
  ): Promise<MatrixSeries[]> {
    try {
      const { series, warnings } = await this.client.queryRange(
        query,
        window.start,
        window.end,
        step,
        signal,
      );
      for (const warning of warnings) progress?.(`${this.describe()} warns: ${warning}`);
      return series;
    } catch (e) {
      if (!(e instanceof QueryTooLargeError)) throw e;
      const points = Math.floor((window.end - window.start) / step) + 1;
      if (points <= 1 || depth >= (this.options.maxSplitDepth ?? 8)) {
        throw new QueryTooLargeError(
          `${this.describe()} refuses the query even for ${points} step(s) of ${step}s: ${e.message}`,
        );
      }
      const middle = window.start + Math.floor(points / 2) * step;
      progress?.(`${this.describe()}: window too large (${e.message}); splitting it in halves`);
      const left = await this.rangeSplitting(
        query,
        { start: window.start, end: middle - step },
        step,
        depth + 1,
        progress,
        signal,
      );
      const right = await this.rangeSplitting(
        query,
        { start: middle, end: window.end },
        step,
        depth + 1,
        progress,
        signal,
      );
      return mergeMatrices(left, right);
    }
  }
}

/** Joins two halves of one query's answer: same label sets, values in time order. */
function mergeMatrices(left: MatrixSeries[], right: MatrixSeries[]): MatrixSeries[] {
  const byLabels = new Map<string, MatrixSeries>();
  for (const s of [...left, ...right]) {
    const id = JSON.stringify(Object.entries(s.metric).sort(([a], [b]) => a.localeCompare(b)));
    const existing = byLabels.get(id);
    if (existing === undefined) byLabels.set(id, { metric: s.metric, values: [...s.values] });
    else existing.values.push(...s.values);
  }
  return [...byLabels.values()];
}

function checkQuery(query: HistoryQuery): void {
  if (!(query.stepSeconds > 0) || !Number.isFinite(query.stepSeconds)) {
    throw new InputError(
      `history step must be a positive number of seconds, not ${query.stepSeconds}`,
    );
  }
  if (!(query.start <= query.end)) {
    throw new InputError(`history window starts (${query.start}) after it ends (${query.end})`);
  }
}
