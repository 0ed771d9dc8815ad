/**
 * Usage history from OpenMetrics files (`*.om`, searched recursively) in a snapshot directory:
 * the same queries as the Prometheus source, evaluated locally over the raw samples.
 */
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { NotFoundError } from '../../errors.js';
import { assembleHistory } from '../assemble.js';
import { evaluateSignals, type RawSeries } from '../evaluate.js';
import { DEFAULT_MIN_RATE_WINDOW_SECONDS, rateWindowFor, SERIES } from '../queries.js';
import type { HistoryQuery, UsageHistory, UsageHistorySource } from '../types.js';
import { normalizeSamples, parseOpenMetricsFile, type ParsedFile } from './parse.js';

export interface OpenMetricsSourceOptions {
  /** Snapshot directory; every `*.om` file below it is read. */
  readonly dir: string;
  /** See `DEFAULT_MIN_RATE_WINDOW_SECONDS`. */
  readonly minRateWindowSeconds?: number;
}

const WANTED: ReadonlySet<string> = new Set(Object.values(SERIES));

/** `*.om` files below `dir`, sorted; hidden folders and node_modules are skipped. */
export async function findOpenMetricsFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  for (const entry of entries) {
    const path = join(entry.parentPath, entry.name);
    const parts = relative(dir, path).split(/[\\/]/);
    if (parts.some((p) => p.startsWith('.') || p === 'node_modules')) continue;
    if (entry.isFile() && entry.name.endsWith('.om')) found.push(path);
  }
  return found.sort();
}

export class OpenMetricsHistorySource implements UsageHistorySource {
  private raw: Promise<RawSeries[]> | undefined;

  constructor(private readonly options: OpenMetricsSourceOptions) {}

  describe(): string {
    return `OpenMetrics files in ${this.options.dir}`;
  }

  /** First and last sample time over the files, or undefined when they hold none we use. */
  async coveredRange(): Promise<{ start: number; end: number } | undefined> {
    const raw = await this.load();
    let start = Infinity;
    let end = -Infinity;
    for (const s of raw) {
      if (s.samples.length === 0) continue;
      start = Math.min(start, s.samples[0].t);
      end = Math.max(end, s.samples.at(-1)!.t);
    }
    return start <= end ? { start, end } : undefined;
  }

  async fetch(query: HistoryQuery, progress?: (message: string) => void): Promise<UsageHistory> {
    const raw = await this.load(progress);
    const signals = evaluateSignals(raw, {
      query,
      rateWindowSeconds: rateWindowFor(
        query.stepSeconds,
        this.options.minRateWindowSeconds ?? DEFAULT_MIN_RATE_WINDOW_SECONDS,
      ),
    });
    return assembleHistory(
      {
        source: this.describe(),
        confidence: 'high',
        window: { start: query.start, end: query.end, stepSeconds: query.stepSeconds },
      },
      signals,
    );
  }

  /** Parses the files once; later fetches reuse the samples. */
  private load(progress?: (message: string) => void): Promise<RawSeries[]> {
    this.raw ??= this.parseAll(progress);
    return this.raw;
  }

  private async parseAll(progress?: (message: string) => void): Promise<RawSeries[]> {
    const files = await findOpenMetricsFiles(this.options.dir);
    if (files.length === 0) {
      throw new NotFoundError(`no OpenMetrics history (*.om) under ${this.options.dir}`);
    }
    const series: ParsedFile['series'] = new Map();
    for (const file of files) {
      const parsed = await parseOpenMetricsFile(file, WANTED, series);
      progress?.(`read ${parsed.samples} samples from ${file}`);
    }
    return [...series.values()].map((s) => ({
      name: s.name,
      labels: s.labels,
      samples: normalizeSamples(s.samples),
    }));
  }
}
