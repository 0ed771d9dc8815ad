/**
 * Usage history from OpenMetrics files (`*.om`, searched recursively) in a snapshot directory:
 * the same queries as the Prometheus source, evaluated locally over the raw samples. A file that
 * `tars snapshot` wrote (`export.ts`) says its step and window: its counters are read with
 * `rate()` over one step and its window is the one exported, so a plan of the snapshot sees the
 * history the live plan saw. Other files are read as Prometheus would read them.
 */
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { InputError, NotFoundError } from '../../errors.js';
import { assembleHistory } from '../assemble.js';
import { evaluateSignals, type RawSeries } from '../evaluate.js';
import { DEFAULT_MIN_RATE_WINDOW_SECONDS, rateWindowFor, SERIES } from '../queries.js';
import type { HistoryQuery, Sample, UsageHistory, UsageHistorySource } from '../types.js';
import { EXPORT_STEP_SERIES } from './export.js';
import { normalizeSamples, parseOpenMetricsFile, type ParsedFile } from './parse.js';

export interface OpenMetricsSourceOptions {
  /** Snapshot directory; every `*.om` file below it is read. */
  readonly dir: string;
  /** See `DEFAULT_MIN_RATE_WINDOW_SECONDS`. */
  readonly minRateWindowSeconds?: number;
}

const WANTED: ReadonlySet<string> = new Set([...Object.values(SERIES), EXPORT_STEP_SERIES]);

interface TimeRange {
  readonly start: number;
  readonly end: number;
}

/** A series' samples from every file that holds it, with the step each file declares. */
interface MergedSeries {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly samples: Sample[];
  readonly steps: (number | undefined)[];
}

/** The parsed files: their series merged, and the time each file covers. */
interface Loaded {
  readonly series: readonly RawSeries[];
  readonly ranges: readonly TimeRange[];
}

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
  private loaded: Promise<Loaded> | undefined;

  constructor(private readonly options: OpenMetricsSourceOptions) {}

  describe(): string {
    return `OpenMetrics files in ${this.options.dir}`;
  }

  /**
   * From the first to the last time the files cover (an exported file: its window; another: its
   * first and last sample), or undefined when they hold none we use.
   */
  async coveredRange(): Promise<TimeRange | undefined> {
    const { ranges } = await this.load();
    if (ranges.length === 0) return undefined;
    return {
      start: Math.min(...ranges.map((r) => r.start)),
      end: Math.max(...ranges.map((r) => r.end)),
    };
  }

  async fetch(query: HistoryQuery, progress?: (message: string) => void): Promise<UsageHistory> {
    const { series: raw } = await this.load(progress);
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
  private load(progress?: (message: string) => void): Promise<Loaded> {
    this.loaded ??= this.parseAll(progress);
    return this.loaded;
  }

  private async parseAll(progress?: (message: string) => void): Promise<Loaded> {
    const files = await findOpenMetricsFiles(this.options.dir);
    if (files.length === 0) {
      throw new NotFoundError(`no OpenMetrics history (*.om) under ${this.options.dir}`);
    }
    const merged = new Map<string, MergedSeries>();
    const ranges: TimeRange[] = [];
    for (const file of files) {
      // Each file on its own first: an export's step applies to its own series only.
      const parsed = await parseOpenMetricsFile(file, WANTED);
      progress?.(`read ${parsed.samples} samples from ${file}`);
      const exported = exportedStep(file, parsed.series);
      const range = exported ?? sampledRange(parsed.series);
      if (range !== undefined) ranges.push(range);
      for (const [id, s] of parsed.series) {
        if (s.name === EXPORT_STEP_SERIES) continue;
        const into = merged.get(id);
        if (into === undefined) {
          merged.set(id, { ...s, steps: [exported?.step] });
          continue;
        }
        // One by one: a long series spread into push() would overflow the call stack.
        for (const sample of s.samples) into.samples.push(sample);
        into.steps.push(exported?.step);
      }
    }
    const series = [...merged.values()].map(({ name, labels, samples, steps }): RawSeries => {
      // A series that another file continues is known to be sampled a step apart only when
      // every file says so, with the same step.
      const [step] = steps;
      const exact = step !== undefined && steps.every((s) => s === step);
      return {
        name,
        labels,
        samples: normalizeSamples(samples),
        ...(exact ? { sampleIntervalSeconds: step } : {}),
      };
    });
    return { series, ranges };
  }
}

/** First and last sample time of the series we use, or undefined when there are none. */
function sampledRange(series: ParsedFile['series']): TimeRange | undefined {
  let start = Infinity;
  let end = -Infinity;
  for (const s of series.values()) {
    for (const { t } of s.samples) {
      start = Math.min(start, t);
      end = Math.max(end, t);
    }
  }
  return start <= end ? { start, end } : undefined;
}

/**
 * The step and window a TARS history export declares (`EXPORT_STEP_SERIES`), or undefined for a
 * file that is not one.
 */
function exportedStep(
  file: string,
  series: ParsedFile['series'],
): (TimeRange & { readonly step: number }) | undefined {
  const samples = [...series.values()]
    .filter((s) => s.name === EXPORT_STEP_SERIES)
    .flatMap((s) => s.samples);
  if (samples.length === 0) return undefined;
  const steps = new Set(samples.map((s) => s.v));
  const [step] = steps;
  if (steps.size !== 1 || !(step > 0) || !Number.isFinite(step)) {
    throw new InputError(
      `${file}: ${EXPORT_STEP_SERIES} must be one positive number of seconds, found ${[...steps].join(', ')}`,
    );
  }
  const times = samples.map((s) => s.t);
  return { start: Math.min(...times), end: Math.max(...times), step };
}
