/**
 * The load series of `tars forecast`: a CSV of `minute,requests` in, `minute,expected,upper` out.
 * Parsing is strict, and every refusal names the file, the line and the field, because the
 * input is usually exported by hand from a metrics system and the user has to find the bad row.
 */
import { InputError } from '../errors.js';

/** Requests in one minute; `minute` is any whole-minute clock (minutes since an epoch, or 0…). */
export interface LoadPoint {
  readonly minute: number;
  readonly requests: number;
}

/** One forecast minute: `expected` is the point forecast, `upper` the level to provision for. */
export interface ForecastPoint {
  readonly minute: number;
  readonly expected: number;
  readonly upper: number;
}

const INPUT_HEADER = 'minute,requests';
const OUTPUT_HEADER = 'minute,expected,upper';
/** Plain decimals, optionally with an exponent: no hex, no `Infinity`, no empty cell. */
const DECIMAL = /^\+?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/**
 * Above this a per-minute count is a unit mistake, and the output could no longer be written
 * without an exponent.
 */
const MAX_REQUESTS = 1e15;

/** Reads a `minute,requests` CSV; `file` is only used to name the input in messages. */
export function parseLoadCsv(text: string, file: string): LoadPoint[] {
  const lines = text.split(/\r?\n/);
  // One trailing newline ends the last row; it is not an empty row.
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  const header = lines[0] ?? '';
  if (header.trim() !== INPUT_HEADER) {
    throw new InputError(
      `${file} line 1: the header must be "${INPUT_HEADER}", found "${truncate(header)}"`,
    );
  }
  const points: LoadPoint[] = [];
  for (let i = 1; i < lines.length; i++) {
    const point = parseRow(lines[i], `${file} line ${i + 1}`);
    const previous = points.at(-1);
    if (previous !== undefined && point.minute <= previous.minute) {
      throw new InputError(
        `${file} line ${i + 1}, field minute: ${point.minute} does not come after ${previous.minute} (minutes must be strictly increasing)`,
      );
    }
    points.push(point);
  }
  if (points.length === 0) throw new InputError(`${file}: no rows after the header`);
  return points;
}

function parseRow(line: string, where: string): LoadPoint {
  const cells = line.split(',');
  if (cells.length !== 2) {
    throw new InputError(
      `${where}: expected 2 fields (minute,requests), found ${line.trim() === '' ? 'an empty line' : `${cells.length} fields`}`,
    );
  }
  const [minuteText, requestsText] = cells.map((c) => c.trim()) as [string, string];
  const minute = Number(minuteText);
  if (!/^\d+$/.test(minuteText) || !Number.isSafeInteger(minute)) {
    throw new InputError(
      `${where}, field minute: "${truncate(minuteText)}" is not a whole number ≥ 0`,
    );
  }
  const requests = Number(requestsText);
  if (!DECIMAL.test(requestsText) || !(requests <= MAX_REQUESTS)) {
    throw new InputError(
      `${where}, field requests: "${truncate(requestsText)}" is not a number ≥ 0${requests > MAX_REQUESTS ? ` and ≤ ${MAX_REQUESTS}` : ''}`,
    );
  }
  return { minute, requests };
}

/** The clocks a `minute` column is most often exported in by mistake, by their step. */
const OTHER_CLOCKS: ReadonlyMap<number, string> = new Map([
  [60, 'unix seconds'],
  [60_000, 'unix milliseconds'],
]);

/**
 * A caveat when consecutive rows are mostly 60 (or 60,000) minutes apart: that is a per-minute
 * export in unix seconds (or milliseconds), which parses fine but is read as one row an hour
 * (or 41 days), and whose forecast continues the minutes one by one.
 */
export function clockNote(points: readonly LoadPoint[]): string | undefined {
  const steps = points.slice(1).map((p, i) => p.minute - points[i].minute);
  if (steps.length === 0) return undefined;
  const typical = steps.sort((a, b) => a - b)[steps.length >> 1];
  const clock = OTHER_CLOCKS.get(typical);
  if (clock === undefined) return undefined;
  return `rows are mostly ${typical} minutes apart: if the minute column holds ${clock}, divide it by ${typical} (the forecast continues the input's minutes one by one)`;
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** Writes the forecast with at most two decimals and no exponent, so any tool can read it. */
export function formatForecastCsv(points: readonly ForecastPoint[]): string {
  const rows = points.map(
    (p) => `${p.minute},${formatNumber(p.expected)},${formatNumber(p.upper)}`,
  );
  return `${[OUTPUT_HEADER, ...rows].join('\n')}\n`;
}

/** `12.5`, `0.33`, `4`: rounding is monotone, so `upper ≥ expected` survives it. */
export function formatNumber(value: number): string {
  const text = Math.max(0, value).toFixed(2);
  return text.replace(/\.?0+$/, '') || '0';
}
