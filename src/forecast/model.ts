/**
 * The load forecaster: a pure function from a per-minute request series to a per-minute
 * forecast, so that `tars forecast` and, later, the scaling analyzer (HPA bounds and scheduled
 * pre-scaling) share one model.
 *
 * Model (see README "tars forecast" and BENCHMARKS.md for why): web load repeats daily, so the
 * expected load at a minute of the day is a robust profile of that minute over the last days
 * (interquartile mean across days, then a short moving average across neighbouring minutes),
 * scaled to the current level (recent minutes against the profile at the same minutes), the
 * level's deviation fading with lead time. Below two days of history there is no profile: the
 * forecast is the recent level. `upper` is calibrated, not a fixed factor: the model is replayed
 * on its own history (origins every few hours) and `upper` adds the chosen quantile of those
 * replayed errors, relative to the forecast, for the same lead-time bucket.
 */
import { InputError } from '../errors.js';
import type { ForecastPoint, LoadPoint } from './series.js';

export const DAY_MINUTES = 1440;
/** Fewer points than this (an hour) say nothing about a level, let alone a day. */
export const MIN_HISTORY_POINTS = 60;
/** Daily seasonality needs one day to build a profile and one more to test it on. */
export const MIN_DAILY_POINTS = 2 * DAY_MINUTES;

export interface ForecastParams {
  /** Most recent days that build the daily profile. */
  readonly profileDays: number;
  /** Half-width, in minutes, of the moving average that smooths the profile. */
  readonly smoothingMinutes: number;
  /** Recent minutes whose ratio to the profile sets the current level. */
  readonly levelMinutes: number;
  /** Lead time, in minutes, over which the level's deviation from the profile halves. */
  readonly levelHalfLifeMinutes: number;
  /** Quantile of the replayed (backtested) errors that `upper` adds. */
  readonly upperQuantile: number;
  /** Days of history the backtest for `upper` replays, from origins every 6 hours. */
  readonly backtestDays: number;
}

/**
 * Chosen on the development half of the Twitter trace only (BENCHMARKS.md, "Load forecast on the
 * Twitter trace"); `upperQuantile` is a provisioning choice, not a fitted value.
 */
export const DEFAULT_FORECAST_PARAMS: ForecastParams = {
  profileDays: 7,
  smoothingMinutes: 15,
  levelMinutes: 60,
  levelHalfLifeMinutes: 720,
  upperQuantile: 0.95,
  backtestDays: 7,
};

export type ForecastModel = 'daily-profile' | 'recent-level';

export interface LoadForecast {
  readonly points: ForecastPoint[];
  readonly model: ForecastModel;
  /** One line on what the model did, for a summary. */
  readonly detail: string;
  /** Fallbacks and caveats, one sentence each, for stderr. */
  readonly notes: string[];
}

/** Lead-time buckets of the calibration (upper bounds in minutes; the last is open). */
const LEAD_BUCKETS = [60, 360, DAY_MINUTES, Infinity];
const DAILY_BACKTEST_STEP = 360;
const LEVEL_BACKTEST_STEP = 30;
const LEVEL_BACKTEST_ORIGINS = 48;

/** A window of the history as one array per minute (NaN where a minute is missing). */
interface Dense {
  readonly firstMinute: number;
  readonly values: Float64Array;
}

/** Forecasts `horizonMinutes` minutes after the last point of `history` (strictly increasing). */
export function forecastLoad(
  history: readonly LoadPoint[],
  horizonMinutes: number,
  params: ForecastParams = DEFAULT_FORECAST_PARAMS,
): LoadForecast {
  if (!Number.isInteger(horizonMinutes) || horizonMinutes <= 0) {
    throw new InputError(`the horizon must be a positive whole number of minutes`);
  }
  if (history.length < MIN_HISTORY_POINTS) {
    throw new InputError(
      `${history.length} minutes of history are too few to forecast: at least ${MIN_HISTORY_POINTS} are needed`,
    );
  }
  // Older minutes than the profile and its backtest look at change nothing; dropping them
  // bounds memory whatever the gaps in the minute numbers.
  const keep = (params.profileDays + params.backtestDays + 1) * DAY_MINUTES;
  const dense = densify(history, keep);
  const present = countPresent(dense.values, 0, dense.values.length);
  const model: ForecastModel = present >= MIN_DAILY_POINTS ? 'daily-profile' : 'recent-level';
  const notes =
    model === 'recent-level'
      ? [
          `${present} minutes of history: daily seasonality needs 2 days (${MIN_DAILY_POINTS} minutes), so the forecast is the level of the last ${params.levelMinutes} minutes`,
        ]
      : [];

  const n = dense.values.length;
  const expected = pointForecast(dense, n, horizonMinutes, model, params);
  const calibration = calibrate(dense, horizonMinutes, model, params);
  if (calibration.origins === 0) notes.push('no backtest was possible, so upper equals expected');

  const lastMinute = dense.firstMinute + n - 1;
  const points = Array.from(expected, (e, i) => {
    const margin = calibration.marginAt(i + 1);
    return {
      minute: lastMinute + 1 + i,
      expected: e,
      upper: e + margin * (e + calibration.floor),
    };
  });
  const detail =
    model === 'daily-profile'
      ? `daily profile of the last ${Math.min(params.profileDays, Math.floor(n / DAY_MINUTES))} days scaled to the last ${params.levelMinutes} min`
      : `level of the last ${params.levelMinutes} min`;
  return {
    points,
    model,
    detail: `${detail}; upper = p${Math.round(params.upperQuantile * 100)} of errors replayed from ${calibration.origins} origins`,
    notes,
  };
}

function densify(history: readonly LoadPoint[], keepMinutes: number): Dense {
  const lastMinute = history.at(-1)!.minute;
  const firstMinute = Math.max(history[0]!.minute, lastMinute - keepMinutes + 1);
  const values = new Float64Array(lastMinute - firstMinute + 1).fill(NaN);
  for (const p of history) {
    if (p.minute >= firstMinute) values[p.minute - firstMinute] = p.requests;
  }
  return { firstMinute, values };
}

function countPresent(values: Float64Array, from: number, to: number): number {
  let count = 0;
  for (let i = Math.max(0, from); i < to; i++) if (!Number.isNaN(values[i]!)) count++;
  return count;
}

/** Expected load for leads 1…horizon after index `end` (exclusive) of the dense history. */
function pointForecast(
  dense: Dense,
  end: number,
  horizon: number,
  model: ForecastModel,
  params: ForecastParams,
): Float64Array {
  const out = new Float64Array(horizon);
  if (model === 'recent-level') {
    out.fill(Math.max(0, recentLevel(dense.values, end, params.levelMinutes)));
    return out;
  }
  const profile = dailyProfile(dense, end, params);
  const phaseOf = (index: number): number =>
    (((dense.firstMinute + index) % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES;
  const level = levelAgainstProfile(
    dense.values,
    end,
    params.levelMinutes,
    (i) => profile[phaseOf(i)]!,
  );
  for (let h = 1; h <= horizon; h++) {
    const base = profile[phaseOf(end - 1 + h)]!;
    const fade = Math.pow(0.5, h / params.levelHalfLifeMinutes);
    const value =
      level.kind === 'ratio' ? base * (1 + (level.value - 1) * fade) : base + level.value * fade;
    out[h - 1] = Math.max(0, value);
  }
  return out;
}

/**
 * The robust daily profile before `end`: for each minute of the day, the interquartile mean of
 * that minute over the last `profileDays` days (a bad day moves it little), then a circular
 * moving average over ±`smoothingMinutes` (one minute's noise moves it little).
 */
function dailyProfile(dense: Dense, end: number, params: ForecastParams): Float64Array {
  const from = Math.max(0, end - params.profileDays * DAY_MINUTES);
  const byPhase: number[][] = Array.from({ length: DAY_MINUTES }, () => []);
  for (let i = from; i < end; i++) {
    const v = dense.values[i]!;
    if (Number.isNaN(v)) continue;
    byPhase[(((dense.firstMinute + i) % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES]!.push(v);
  }
  const centre = new Float64Array(DAY_MINUTES);
  for (let p = 0; p < DAY_MINUTES; p++) centre[p] = interquartileMean(byPhase[p]!);
  return circularSmooth(centre, params.smoothingMinutes);
}

/** Mean of the values left after dropping the lowest and highest quarter; NaN for none. */
export function interquartileMean(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const cut = Math.floor(sorted.length / 4);
  let sum = 0;
  for (let i = cut; i < sorted.length - cut; i++) sum += sorted[i]!;
  return sum / (sorted.length - 2 * cut);
}

/** Moving average around the day (minute 1439 neighbours minute 0), skipping missing minutes. */
function circularSmooth(values: Float64Array, halfWidth: number): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  let fallback = NaN;
  for (let p = 0; p < n; p++) {
    let sum = 0;
    let count = 0;
    for (let d = -halfWidth; d <= halfWidth; d++) {
      const v = values[(((p + d) % n) + n) % n]!;
      if (Number.isNaN(v)) continue;
      sum += v;
      count++;
    }
    out[p] = count > 0 ? sum / count : NaN;
  }
  // Minutes of the day never seen (long gaps): the day's overall mean stands in.
  if (out.some(Number.isNaN)) {
    const seen = [...out].filter((v) => !Number.isNaN(v));
    fallback = seen.length > 0 ? seen.reduce((s, v) => s + v, 0) / seen.length : 0;
    for (let p = 0; p < n; p++) if (Number.isNaN(out[p]!)) out[p] = fallback;
  }
  return out;
}

type Level = { kind: 'ratio'; value: number } | { kind: 'offset'; value: number };

/**
 * How the last `minutes` before `end` compare with the profile: a ratio (load scales), or an
 * offset when the profile there is zero and a ratio means nothing.
 */
function levelAgainstProfile(
  values: Float64Array,
  end: number,
  minutes: number,
  profileAt: (index: number) => number,
): Level {
  let actual = 0;
  let profile = 0;
  let count = 0;
  for (let i = Math.max(0, end - minutes); i < end; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    actual += v;
    profile += profileAt(i);
    count++;
  }
  if (count === 0) return { kind: 'ratio', value: 1 };
  if (profile > 0) return { kind: 'ratio', value: actual / profile };
  return { kind: 'offset', value: (actual - profile) / count };
}

/** Interquartile mean of the last `minutes` present values before `end`. */
function recentLevel(values: Float64Array, end: number, minutes: number): number {
  const recent: number[] = [];
  for (let i = end - 1; i >= 0 && recent.length < minutes; i--) {
    if (!Number.isNaN(values[i]!)) recent.push(values[i]!);
  }
  return interquartileMean(recent);
}

interface Calibration {
  /** Relative margin for a lead time (1 = the first forecast minute). */
  readonly marginAt: (lead: number) => number;
  /** Added to the forecast before the margin applies, so a zero forecast can still get one. */
  readonly floor: number;
  readonly origins: number;
}

/**
 * Replays the model at earlier origins of the history and takes, per lead-time bucket, the
 * `upperQuantile` of its errors relative to the forecast. Daily origins need a day of history
 * before them (a profile of one day), level origins half an hour.
 */
function calibrate(
  dense: Dense,
  horizon: number,
  model: ForecastModel,
  params: ForecastParams,
): Calibration {
  const { values } = dense;
  const n = values.length;
  const floor = 0.01 * meanPresent(values);
  const step = model === 'daily-profile' ? DAILY_BACKTEST_STEP : LEVEL_BACKTEST_STEP;
  const maxOrigins =
    model === 'daily-profile'
      ? Math.round((params.backtestDays * DAY_MINUTES) / DAILY_BACKTEST_STEP)
      : LEVEL_BACKTEST_ORIGINS;
  const needBefore = model === 'daily-profile' ? DAY_MINUTES : 30;
  const errors: number[][] = LEAD_BUCKETS.map(() => []);
  let origins = 0;
  for (let j = 1; j <= maxOrigins; j++) {
    const origin = n - j * step;
    if (origin <= 0 || countPresent(values, 0, origin) < needBefore) break;
    const leads = Math.min(horizon, n - origin);
    const replay = pointForecast(dense, origin, leads, model, params);
    for (let h = 1; h <= leads; h++) {
      const actual = values[origin + h - 1]!;
      if (Number.isNaN(actual)) continue;
      const e = replay[h - 1]!;
      const scale = e + floor;
      errors[bucketOf(h)]!.push(scale > 0 ? (actual - e) / scale : 0);
    }
    origins++;
  }
  const margins = errors.map((bucket) =>
    bucket.length > 0 ? Math.max(0, quantile(bucket, params.upperQuantile)) : NaN,
  );
  // A lead no replay reached takes the margin of the longest lead that was measured.
  for (let b = 0; b < margins.length; b++) {
    if (Number.isNaN(margins[b]!)) margins[b] = b > 0 ? margins[b - 1]! : NaN;
  }
  return {
    marginAt: (lead) => {
      const m = margins[bucketOf(lead)]!;
      return Number.isNaN(m) ? 0 : m;
    },
    floor,
    origins,
  };
}

function bucketOf(lead: number): number {
  return LEAD_BUCKETS.findIndex((edge) => lead <= edge);
}

function meanPresent(values: Float64Array): number {
  let sum = 0;
  let count = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    sum += v;
    count++;
  }
  return count > 0 ? sum / count : 0;
}

/** The empirical `q` quantile (the smallest value with at least a share `q` at or below it). */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}
