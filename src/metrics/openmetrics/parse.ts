/**
 * OpenMetrics text with timestamps, as `promtool tsdb create-blocks-from openmetrics` reads it:
 * `# TYPE`/`# HELP`/`# UNIT` metadata, samples `name{label="value",…} value timestamp` with the
 * timestamp in (possibly fractional) seconds, optional exemplars after ` # `, and `# EOF`.
 * Malformed input is an InputError naming the file and line.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError } from '../../errors.js';
import type { Sample } from '../types.js';

export interface ParsedSample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
  readonly timestamp: number;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

class LineError extends Error {}

/** 2286-11-20 in unix seconds; a timestamp in milliseconds is above it from 1970-04-26 on. */
const MAX_TIMESTAMP_SECONDS = 1e10;

/** Parses one sample line; throws LineError with what is wrong. */
export function parseSampleLine(line: string): ParsedSample {
  const name = METRIC_NAME.exec(line)?.[0];
  if (name === undefined) throw new LineError('expected a metric name');
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = parseLabels(rest.slice(1), labels);
  }
  // Exemplars (` # {…} v`) carry no history: drop them.
  const exemplar = rest.indexOf(' # ');
  if (exemplar >= 0) rest = rest.slice(0, exemplar);
  const fields = rest.trim().split(/\s+/);
  if (!rest.startsWith(' ') || fields.length === 0 || fields[0] === '') {
    throw new LineError('expected a space and a value after the metric');
  }
  if (fields.length !== 2) {
    throw new LineError(
      fields.length === 1
        ? 'sample has no timestamp (history files need one per sample)'
        : 'expected "value timestamp" after the labels',
    );
  }
  const value = parseNumber(fields[0], 'value');
  const timestamp = parseNumber(fields[1], 'timestamp');
  if (!Number.isFinite(timestamp)) throw new LineError(`invalid timestamp "${fields[1]}"`);
  if (timestamp < 0 || timestamp >= MAX_TIMESTAMP_SECONDS) {
    // Seconds up to 2286; a millisecond stamp of any date since 1970-04 is above that. Read as
    // seconds it would put the history thousands of years away from the other files' samples.
    throw new LineError(
      `timestamp ${fields[1]} is not seconds between 1970 and 2286 (OpenMetrics timestamps are in seconds; is it in milliseconds?)`,
    );
  }
  return { name, labels, value, timestamp };
}

function parseNumber(text: string, what: string): number {
  const special: Record<string, number> = {
    NaN: NaN,
    '+Inf': Infinity,
    Inf: Infinity,
    '-Inf': -Infinity,
  };
  if (text in special) return special[text];
  const n = Number(text);
  if (text === '' || Number.isNaN(n)) throw new LineError(`invalid ${what} "${text}"`);
  return n;
}

/** Parses `a="x",b="y"}` (after the `{`) into labels; returns what follows the `}`. */
function parseLabels(text: string, labels: Record<string, string>): string {
  let rest = text;
  while (!rest.startsWith('}')) {
    const name = LABEL_NAME.exec(rest)?.[0];
    if (name === undefined) throw new LineError('expected a label name');
    rest = rest.slice(name.length);
    if (!rest.startsWith('="')) throw new LineError(`expected ="…" after label ${name}`);
    rest = rest.slice(2);
    let value = '';
    for (;;) {
      const c = rest[0];
      if (c === undefined) throw new LineError(`unterminated value of label ${name}`);
      if (c === '"') break;
      if (c === '\\') {
        const escaped = rest[1];
        if (escaped === 'n') value += '\n';
        else if (escaped === '\\' || escaped === '"') value += escaped;
        else throw new LineError(`invalid escape in label ${name}`);
        rest = rest.slice(2);
      } else {
        value += c;
        rest = rest.slice(1);
      }
    }
    labels[name] = value;
    rest = rest.slice(1);
    if (rest.startsWith(',')) rest = rest.slice(1);
    else if (!rest.startsWith('}')) throw new LineError('expected , or } after a label');
  }
  return rest.slice(1);
}

export interface ParsedFile {
  /** Series of the wanted metric names, keyed by name and sorted labels. */
  readonly series: Map<string, { name: string; labels: Record<string, string>; samples: Sample[] }>;
  readonly samples: number;
}

/**
 * Streams a file, keeping the samples of `wanted` metric names only (every line is still
 * checked). Samples of one series are appended to `into` so several files merge.
 */
export async function parseOpenMetricsFile(
  file: string,
  wanted: ReadonlySet<string>,
  into: ParsedFile['series'] = new Map(),
): Promise<ParsedFile> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let lineNumber = 0;
  let samples = 0;
  let ended = false;
  for await (const line of lines) {
    lineNumber++;
    if (ended) {
      if (line.trim() !== '') throw new InputError(`${file}:${lineNumber}: content after # EOF`);
      continue;
    }
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      if (/^# EOF\s*$/.test(line)) ended = true;
      else if (!/^# (TYPE|HELP|UNIT) [a-zA-Z_:][a-zA-Z0-9_:]*( |$)/.test(line)) {
        throw new InputError(
          `${file}:${lineNumber}: unknown comment (expected # TYPE, # HELP, # UNIT or # EOF)`,
        );
      }
      continue;
    }
    let sample: ParsedSample;
    try {
      sample = parseSampleLine(line);
    } catch (e) {
      if (e instanceof LineError) throw new InputError(`${file}:${lineNumber}: ${e.message}`);
      throw e;
    }
    samples++;
    if (!wanted.has(sample.name)) continue;
    const id = seriesId(sample.name, sample.labels);
    const series = into.get(id) ?? { name: sample.name, labels: sample.labels, samples: [] };
    series.samples.push({ t: sample.timestamp, v: sample.value });
    into.set(id, series);
  }
  return { series: into, samples };
}

function seriesId(name: string, labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${name}{${sorted.join(',')}}`;
}

/** Sorts samples by time, keeping the last one written for a repeated timestamp. */
export function normalizeSamples(samples: readonly Sample[]): Sample[] {
  const byTime = new Map<number, number>();
  for (const s of samples) byTime.set(s.t, s.v);
  return [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([t, v]) => ({ t, v }));
}
