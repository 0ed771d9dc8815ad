/**
 * The load forecaster: a pure function from a per-minute request series to a per-minute
 * forecast, so that `tars forecast` and, later, the scaling analyzer (HPA bounds and scheduled
 * pre-scaling) share one model.
 *
 * Model (see README "tars forecast" and BENCHMARKS.md for why): web load repeats daily, so the
 * expected load at a minute of the day is a robust profile of that minute over the last days
 * (the median across days, then a running median across neighbouring minutes, which keeps
 * steps sharp), scaled to the current level (recent minutes against the profile at the same
 * minutes), the level's deviation fading with lead time. Below two days of history there is no
 * profile: the forecast is the recent level.
 *
 * `upper`, the level to provision for, is calibrated, not a fixed factor: it starts from a high
 * quantile of the same minute over the last days (so it rises where bursts recur), and the
 * model, replayed on its own history from origins every few hours, sets per lead-time bucket
 * the correction that makes it cover the asked share (p95) of the replayed minutes.
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
  /**
   * How the same minute of the last days is summarised: the median (what minimises the absolute
   * error when a burst recurs at that minute on some days only), or the interquartile mean.
   */
  readonly profileCentre: 'median' | 'interquartile-mean';
  /** Half-width, in minutes, of the running median that smooths the profile. */
  readonly smoothingMinutes: number;
  /** Recent minutes whose ratio to the profile sets the current level. */
  readonly levelMinutes: number;
  /** Lead time, in minutes, over which the level's deviation from the profile halves. */
  readonly levelHalfLifeMinutes: number;
  /** Share of minutes `upper` should cover: the quantile of the replayed (backtested) errors. */
  readonly upperQuantile: number;
  /**
   * Quantile of the same minute of the last days that `upper` starts from before the backtest
   * corrects it: where bursts recur at a time of day, `upper` rises at that time only.
   */
  readonly upperProfileQuantile: number;
  /** Days of history the backtest for `upper` replays, from origins every 6 hours. */
  readonly backtestDays: number;
}

/**
 * Chosen on the development half of the Twitter trace only (BENCHMARKS.md, "Load forecast on the
 * Twitter trace"); `upperQuantile` is a provisioning choice, not a fitted value.
 */
export const DEFAULT_FORECAST_PARAMS: ForecastParams = {
  profileDays: 7,
  profileCentre: 'median',
  smoothingMinutes: 15,
  levelMinutes: 180,
  levelHalfLifeMinutes: 60,
  upperQuantile: 0.95,
  upperProfileQuantile: 0.75,
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
  const { dense, model, fallback, profileWindow } = prepare(history, horizonMinutes, params);
  const notes =
    fallback === undefined
      ? []
      : [`${fallback}, so the forecast is the level of the last ${params.levelMinutes} minutes`];

  const n = dense.values.length;
  const { expected, raw } = curvesFrom(dense, n, horizonMinutes, model, params, true);
  const calibration = calibrate(dense, horizonMinutes, model, params);
  if (calibration.origins === 0) notes.push('no backtest was possible, so upper is uncorrected');

  const lastMinute = dense.firstMinute + n - 1;
  const highest = maxPresent(dense.values);
  const points = Array.from(expected, (e, i) => {
    const r = raw[i];
    const corrected = r + calibration.correctionAt(i + 1) * (r + calibration.floor);
    // No upper above the highest load read covers one more replayed minute: past it the
    // correction (learned, say, where the raw upper was 0) only multiplies noise. The raw upper
    // itself may be higher, when the recent level is.
    const capped = Math.min(corrected, Math.max(r, highest));
    return { minute: lastMinute + 1 + i, expected: e, upper: Math.max(e, capped) };
  });
  const detail =
    model === 'daily-profile'
      ? `daily profile of the last ${Math.min(params.profileDays, Math.floor(n / DAY_MINUTES))} days${gapsIn(profileWindow)} scaled to the last ${params.levelMinutes} min`
      : `level of the last ${params.levelMinutes} min`;
  return {
    points,
    model,
    detail: `${detail}; upper calibrated to cover ${Math.round(params.upperQuantile * 100)}% of minutes replayed from ${calibration.origins} origins`,
    notes,
  };
}

/** Only `expected` (no calibration of `upper`): what a parameter search needs, at a tenth of the cost. */
export function expectedLoad(
  history: readonly LoadPoint[],
  horizonMinutes: number,
  params: ForecastParams = DEFAULT_FORECAST_PARAMS,
): number[] {
  const { dense, model } = prepare(history, horizonMinutes, params);
  return [...curvesFrom(dense, dense.values.length, horizonMinutes, model, params, false).expected];
}

/** Minutes with data among the minutes a window spans. */
interface Coverage {
  readonly present: number;
  readonly span: number;
}

interface Prepared {
  readonly dense: Dense;
  readonly model: ForecastModel;
  /** Why the model is the recent level, when it is. */
  readonly fallback?: string;
  /** The minutes the final daily profile reads. */
  readonly profileWindow: Coverage;
}

function prepare(
  history: readonly LoadPoint[],
  horizonMinutes: number,
  params: ForecastParams,
): Prepared {
  if (!Number.isInteger(horizonMinutes) || horizonMinutes <= 0) {
    throw new InputError(`the horizon must be a positive whole number of minutes`);
  }
  // Older minutes than the profile and its backtest look at change nothing; dropping them
  // bounds memory whatever the gaps in the minute numbers.
  const keepDays = params.profileDays + params.backtestDays + 1;
  const dense = densify(history, keepDays * DAY_MINUTES);
  const n = dense.values.length;
  const present = countPresent(dense.values, 0, n);
  // The counts below are of the minutes read, so say so when the input reaches further back.
  const historyRead = `${present} minutes of history${present < history.length ? ` in the last ${keepDays} days` : ''}`;
  if (present < MIN_HISTORY_POINTS) {
    throw new InputError(
      `${historyRead} are too few to forecast: at least ${MIN_HISTORY_POINTS} are needed`,
    );
  }
  const profileFrom = Math.max(0, n - params.profileDays * DAY_MINUTES);
  const profileWindow = {
    present: countPresent(dense.values, profileFrom, n),
    span: n - profileFrom,
  };
  if (present < MIN_DAILY_POINTS) {
    const fallback = `${historyRead}: daily seasonality needs 2 days (${MIN_DAILY_POINTS} minutes)`;
    return { dense, model: 'recent-level', fallback, profileWindow };
  }
  // Two days in all, but the profile reads only its last days: behind a long gap they may hold
  // too little for a profile (the backtest asks the same of its replayed origins).
  if (profileWindow.present < DAY_MINUTES) {
    const fallback = `the last ${params.profileDays} days hold only ${profileWindow.present} minutes of history: a daily profile needs a day (${DAY_MINUTES} minutes) of them`;
    return { dense, model: 'recent-level', fallback, profileWindow };
  }
  return { dense, model: 'daily-profile', profileWindow };
}

/** ` (2880 of its 10080 minutes present)` for a window with gaps, nothing for a full one. */
function gapsIn(window: Coverage): string {
  return window.present < window.span
    ? ` (${window.present} of its ${window.span} minutes present)`
    : '';
}

function densify(history: readonly LoadPoint[], keepMinutes: number): Dense {
  const lastMinute = history.at(-1)!.minute;
  const firstMinute = Math.max(history[0].minute, lastMinute - keepMinutes + 1);
  const values = new Float64Array(lastMinute - firstMinute + 1).fill(NaN);
  for (const p of history) {
    if (p.minute >= firstMinute) values[p.minute - firstMinute] = p.requests;
  }
  return { firstMinute, values };
}

function countPresent(values: Float64Array, from: number, to: number): number {
  let count = 0;
  for (let i = Math.max(0, from); i < to; i++) if (!Number.isNaN(values[i])) count++;
  return count;
}

/** What the model says from one origin: `expected`, and the uncalibrated `upper`. */
interface Curves {
  readonly expected: Float64Array;
  /** The raw upper before the backtest corrects it: `expected`, or the quantile profile. */
  readonly raw: Float64Array;
}

/** Leads 1…horizon after index `end` (exclusive) of the dense history. */
function curvesFrom(
  dense: Dense,
  end: number,
  horizon: number,
  model: ForecastModel,
  params: ForecastParams,
  withQuantile: boolean,
): Curves {
  const expected = new Float64Array(horizon);
  const raw = withQuantile ? new Float64Array(horizon) : expected;
  if (model === 'recent-level') {
    const recent = recentValues(dense.values, end, params.levelMinutes);
    expected.fill(Math.max(0, interquartileMean(recent)));
    if (withQuantile) raw.fill(Math.max(0, quantile(recent, params.upperProfileQuantile)));
    return { expected, raw };
  }
  const values = valuesByPhase(dense, end, params.profileDays);
  const profile = dailyProfile(values, params);
  const upperProfile = withQuantile ? quantileProfile(values, params) : profile;
  const phaseOf = (index: number): number => phaseOfMinute(dense.firstMinute + index);
  const level = levelAgainstProfile(
    dense.values,
    end,
    params.levelMinutes,
    (i) => profile[phaseOf(i)],
    relativeFloor(dense.values),
  );
  for (let h = 1; h <= horizon; h++) {
    const fade = Math.pow(0.5, h / params.levelHalfLifeMinutes);
    const phase = phaseOf(end - 1 + h);
    const scale = (base: number): number =>
      Math.max(
        0,
        level.kind === 'ratio' ? base * (1 + (level.value - 1) * fade) : base + level.value * fade,
      );
    expected[h - 1] = scale(profile[phase]);
    if (withQuantile) raw[h - 1] = scale(upperProfile[phase]);
  }
  return { expected, raw };
}

/** The present values of the last `days` days before `end`, by minute of the day. */
function valuesByPhase(dense: Dense, end: number, days: number): number[][] {
  const from = Math.max(0, end - days * DAY_MINUTES);
  const byPhase: number[][] = Array.from({ length: DAY_MINUTES }, () => []);
  for (let i = from; i < end; i++) {
    const v = dense.values[i];
    if (!Number.isNaN(v)) byPhase[phaseOfMinute(dense.firstMinute + i)].push(v);
  }
  return byPhase;
}

/**
 * The robust daily profile: for each minute of the day, the median (or interquartile mean) of
 * that minute over the last days (a bad day moves it little), then a circular running median
 * over ±`smoothingMinutes` (one minute's noise moves it little).
 */
function dailyProfile(byPhase: readonly number[][], params: ForecastParams): Float64Array {
  const centre = new Float64Array(DAY_MINUTES);
  const summarise = params.profileCentre === 'median' ? medianOrNaN : interquartileMean;
  for (let p = 0; p < DAY_MINUTES; p++) centre[p] = summarise([...byPhase[p]]);
  return fillUnseen(circularSmooth(centre, params.smoothingMinutes));
}

/**
 * For each minute of the day, the `upperProfileQuantile` of that minute over the last days,
 * unsmoothed: where bursts recur at a time of day, the upper rises at that time only.
 */
function quantileProfile(byPhase: readonly number[][], params: ForecastParams): Float64Array {
  const out = new Float64Array(DAY_MINUTES);
  for (let p = 0; p < DAY_MINUTES; p++) {
    const values = byPhase[p];
    out[p] = values.length > 0 ? quantile(values, params.upperProfileQuantile) : NaN;
  }
  return fillUnseen(out);
}

/** Mean of the values left after dropping the lowest and highest quarter; NaN for none. */
export function interquartileMean(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const cut = Math.floor(sorted.length / 4);
  let sum = 0;
  for (let i = cut; i < sorted.length - cut; i++) sum += sorted[i];
  return sum / (sorted.length - 2 * cut);
}

/**
 * Running median around the day (minute 1439 neighbours minute 0), skipping missing minutes. A
 * median, not a mean, so that a step (a nightly export gap, a batch job starting on the minute)
 * keeps its edge instead of being smeared over the neighbouring minutes.
 */
function circularSmooth(values: Float64Array, halfWidth: number): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  const window: number[] = [];
  for (let p = 0; p < n; p++) {
    window.length = 0;
    for (let d = -halfWidth; d <= halfWidth; d++) {
      const v = values[(((p + d) % n) + n) % n];
      if (!Number.isNaN(v)) window.push(v);
    }
    out[p] = window.length > 0 ? median(window) : NaN;
  }
  return out;
}

/** Minutes of the day never seen (long gaps): the mean of the others stands in. */
function fillUnseen(values: Float64Array): Float64Array {
  if (!values.some(Number.isNaN)) return values;
  const seen = [...values].filter((v) => !Number.isNaN(v));
  const fallback = seen.length > 0 ? seen.reduce((s, v) => s + v, 0) / seen.length : 0;
  for (let p = 0; p < values.length; p++) if (Number.isNaN(values[p])) values[p] = fallback;
  return values;
}

function medianOrNaN(values: number[]): number {
  return values.length === 0 ? NaN : median(values);
}

function median(values: number[]): number {
  const sorted = values.sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

type Level = { kind: 'ratio'; value: number } | { kind: 'offset'; value: number };

/**
 * How the last `minutes` before `end` compare with the profile: a ratio (load scales), or an
 * offset when the profile there is all but zero (below `floor` a minute, 1% of the mean load)
 * and a ratio means nothing: quiet nights at 0.01 a minute rising to 100 are a ratio of 10,000,
 * which would scale the next day's peak by as much.
 */
function levelAgainstProfile(
  values: Float64Array,
  end: number,
  minutes: number,
  profileAt: (index: number) => number,
  floor: number,
): Level {
  let actual = 0;
  let profile = 0;
  let count = 0;
  for (let i = Math.max(0, end - minutes); i < end; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    actual += v;
    profile += profileAt(i);
    count++;
  }
  if (count === 0) return { kind: 'ratio', value: 1 };
  if (profile > 0 && profile >= floor * count) return { kind: 'ratio', value: actual / profile };
  return { kind: 'offset', value: (actual - profile) / count };
}

/** The last `minutes` present values before `end`. */
function recentValues(values: Float64Array, end: number, minutes: number): number[] {
  const recent: number[] = [];
  for (let i = end - 1; i >= 0 && recent.length < minutes; i--) {
    if (!Number.isNaN(values[i])) recent.push(values[i]);
  }
  return recent;
}

/** Per lead-time bucket, the correction that the backtest says the raw upper needs. */
interface Calibration {
  /** Relative correction of the raw upper at a lead time (1 = the first forecast minute). */
  readonly correctionAt: (lead: number) => number;
  /** Added to the raw upper before the correction applies, so that zero can still grow. */
  readonly floor: number;
  readonly origins: number;
}

/**
 * Replays the model at earlier origins of the history (every 6 hours for the daily profile,
 * every half hour for the level) and takes, per lead-time bucket, the `upperQuantile` of how far
 * the actual load exceeded the raw upper (the quantile profile), relative to it: this correction
 * (negative when the raw upper was generous) makes the upper's coverage of the replayed minutes
 * what was asked, so `upper` is calibrated on the series itself, not a fixed factor.
 * Daily origins need a day of data within the profile's days before them (a profile of one
 * day), level origins half an hour of data.
 */
function calibrate(
  dense: Dense,
  horizon: number,
  model: ForecastModel,
  params: ForecastParams,
): Calibration {
  const { values } = dense;
  const n = values.length;
  const floor = relativeFloor(values);
  const daily = model === 'daily-profile';
  const step = daily ? DAILY_BACKTEST_STEP : LEVEL_BACKTEST_STEP;
  const maxOrigins = daily
    ? Math.round((params.backtestDays * DAY_MINUTES) / DAILY_BACKTEST_STEP)
    : LEVEL_BACKTEST_ORIGINS;
  // What the model at an origin reads: the profile's days for the daily model (a day of data
  // must fall inside them, or the replayed profile is empty and its errors are meaningless), any
  // earlier minute for the level.
  const needBefore = daily ? DAY_MINUTES : 30;
  const lookBack = daily ? params.profileDays * DAY_MINUTES : n;
  const scores: number[][] = LEAD_BUCKETS.map(() => []);
  let origins = 0;
  for (let j = 1; j <= maxOrigins && n - j * step > 0; j++) {
    const origin = n - j * step;
    // Not `break`: behind a gap, an earlier origin may see data again.
    if (countPresent(values, origin - lookBack, origin) < needBefore) continue;
    const leads = Math.min(horizon, n - origin);
    const { raw } = curvesFrom(dense, origin, leads, model, params, true);
    let replayed = 0;
    for (let lead = 1; lead <= leads; lead++) {
      const actual = values[origin + lead - 1];
      if (Number.isNaN(actual)) continue;
      const r = raw[lead - 1];
      const scale = r + floor;
      scores[bucketOf(lead)].push(scale > 0 ? (actual - r) / scale : 0);
      replayed++;
    }
    // An origin whose leads all fall in a gap replayed nothing and is not counted.
    if (replayed > 0) origins++;
  }
  const corrections = scores.map((b) => (b.length > 0 ? quantile(b, params.upperQuantile) : NaN));
  // A lead no replay reached takes the correction of the longest lead that was measured.
  for (let b = 1; b < corrections.length; b++) {
    if (Number.isNaN(corrections[b])) corrections[b] = corrections[b - 1]!;
  }
  return {
    correctionAt: (lead) => {
      const c = corrections[bucketOf(lead)];
      return Number.isNaN(c) ? 0 : c;
    },
    floor,
    origins,
  };
}

function phaseOfMinute(minute: number): number {
  return ((minute % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES;
}

function bucketOf(lead: number): number {
  return LEAD_BUCKETS.findIndex((edge) => lead <= edge);
}

function maxPresent(values: Float64Array): number {
  let max = 0;
  for (const v of values) if (v > max) max = v;
  return max;
}

/** 1% of the mean load: below it, a load is all but zero and a ratio to it means nothing. */
function relativeFloor(values: Float64Array): number {
  return 0.01 * meanPresent(values);
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
  return sorted[rank];
}
