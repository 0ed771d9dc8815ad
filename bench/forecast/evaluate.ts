/**
 * Rolling-origin evaluation of load forecasts on the Twitter trace: from each day boundary,
 * forecast the next 24 hours from everything before it, and score `expected` (WAPE) and `upper`
 * (coverage, over-provision). Shared by the benchmark (bench/forecast/main.ts) and the
 * development-half parameter search (bench/forecast/tune.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DAY_MINUTES,
  forecastLoad,
  quantile,
  type ForecastParams,
} from '../../src/forecast/model.js';
import { parseLoadCsv, type ForecastPoint, type LoadPoint } from '../../src/forecast/series.js';
import { projectRoot } from '../../test/support/project-root.js';

export const TRACE_FILE = join(
  projectRoot(),
  'test',
  'fixtures',
  'traces',
  'twitter-requests-per-minute.csv',
);
export const HORIZON = DAY_MINUTES;

/** The trace through the command's own parser. */
export function loadTrace(): LoadPoint[] {
  return parseLoadCsv(readFileSync(TRACE_FILE, 'utf8'), TRACE_FILE);
}

export interface Split {
  readonly development: number[];
  readonly judged: number[];
}

/**
 * Origins at every day boundary with a full day of actuals after it. The first half of the trace
 * (its first 11 days, up to minute 15,840 of 31,651) holds the development origins' forecast
 * windows; the judged origins forecast days 11 to 20.
 */
export function origins(trace: readonly LoadPoint[]): Split {
  const end = trace.at(-1)!.minute + 1;
  const all: number[] = [];
  for (let o = DAY_MINUTES; o + HORIZON <= end; o += DAY_MINUTES) all.push(o);
  const half = 11 * DAY_MINUTES;
  return {
    development: all.filter((o) => o + HORIZON <= half),
    judged: all.filter((o) => o >= half),
  };
}

export type Forecaster = (history: readonly LoadPoint[], horizon: number) => ForecastPoint[];

export interface Score {
  readonly origins: number;
  /** Σ|actual − expected| / Σ actual. */
  readonly wape: number;
  /** Share of minutes with actual ≤ upper. */
  readonly coverage: number;
  /** Σ upper / Σ actual − 1. */
  readonly overProvision: number;
}

/** Scores `forecaster` over `originMinutes`; the trace is dense (one point per minute from 0). */
export function evaluate(
  trace: readonly LoadPoint[],
  originMinutes: readonly number[],
  forecaster: Forecaster,
): Score {
  let absError = 0;
  let actualSum = 0;
  let upperSum = 0;
  let covered = 0;
  let minutes = 0;
  for (const origin of originMinutes) {
    const history = trace.slice(0, origin);
    const forecast = forecaster(history, HORIZON);
    forecast.forEach((p, i) => {
      const actual = trace[origin + i];
      if (actual.minute !== p.minute) throw new Error(`minute ${p.minute} ≠ ${actual.minute}`);
      absError += Math.abs(actual.requests - p.expected);
      actualSum += actual.requests;
      upperSum += p.upper;
      if (actual.requests <= p.upper) covered++;
      minutes++;
    });
  }
  return {
    origins: originMinutes.length,
    wape: absError / actualSum,
    coverage: covered / minutes,
    overProvision: upperSum / actualSum - 1,
  };
}

/** TARS's model, exactly as `tars forecast` runs it. */
export function tarsForecaster(params?: ForecastParams): Forecaster {
  return (history, horizon) => forecastLoad(history, horizon, params).points;
}

/** Naive: the last value, flat; upper = expected. */
export const naive: Forecaster = (history, horizon) => {
  const last = history.at(-1)!;
  return Array.from({ length: horizon }, (_, i) => ({
    minute: last.minute + 1 + i,
    expected: last.requests,
    upper: last.requests,
  }));
};

/** Seasonal naive: the same minute one day earlier; upper = expected. */
export const seasonalNaive: Forecaster = (history, horizon) =>
  seasonalNaiveWith(history, horizon, 0);

/**
 * Seasonal naive with its own calibrated margin: `upper` adds the given quantile of the relative
 * errors seasonal naive made over the history (each minute against the same minute a day
 * before), scaled as TARS scales its margin, so the two uppers are compared on equal terms.
 */
export function seasonalNaiveCalibrated(q: number): Forecaster {
  return (history, horizon) => {
    const values = history.map((p) => p.requests);
    const floor = (0.01 * values.reduce((s, v) => s + v, 0)) / values.length;
    const errors: number[] = [];
    for (let t = DAY_MINUTES; t < values.length; t++) {
      const e = values[t - DAY_MINUTES];
      errors.push(e + floor > 0 ? (values[t] - e) / (e + floor) : 0);
    }
    const margin = errors.length > 0 ? Math.max(0, quantile(errors, q)) : 0;
    return seasonalNaiveWith(history, horizon, margin, floor);
  };
}

function seasonalNaiveWith(
  history: readonly LoadPoint[],
  horizon: number,
  margin: number,
  floor = 0,
): ForecastPoint[] {
  const last = history.at(-1)!.minute;
  return Array.from({ length: horizon }, (_, i) => {
    // Leads past one day repeat the last day again; the benchmark's horizon is one day.
    const back = history[history.length - DAY_MINUTES + (i % DAY_MINUTES)];
    const expected = back?.requests ?? history.at(-1)!.requests;
    return { minute: last + 1 + i, expected, upper: expected + margin * (expected + floor) };
  });
}
