import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { DAY_MINUTES, MIN_HISTORY_POINTS, forecastLoad, type LoadForecast } from './model.js';
import type { LoadPoint } from './series.js';

/** A small seeded generator, so noisy series are the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function series(minutes: number, f: (minute: number) => number, start = 0): LoadPoint[] {
  return Array.from({ length: minutes }, (_, i) => ({ minute: start + i, requests: f(start + i) }));
}

/** A daily shape with a morning and an evening peak, as web traffic has. */
function daily(minute: number): number {
  const x = (2 * Math.PI * (minute % DAY_MINUTES)) / DAY_MINUTES;
  return 1000 + 400 * Math.sin(x) + 150 * Math.sin(3 * x + 1);
}

function expectSane(forecast: LoadForecast, lastMinute: number, horizon: number): void {
  expect(forecast.points).toHaveLength(horizon);
  forecast.points.forEach((p, i) => {
    expect(p.minute).toBe(lastMinute + 1 + i);
    expect(Number.isFinite(p.expected)).toBe(true);
    expect(p.expected).toBeGreaterThanOrEqual(0);
    expect(p.upper).toBeGreaterThanOrEqual(p.expected);
  });
}

describe('forecastLoad', () => {
  it('forecasts an exactly periodic series back, with a tight upper', () => {
    const history = series(7 * DAY_MINUTES, daily, 300);
    const last = history.at(-1)!.minute;
    const forecast = forecastLoad(history, DAY_MINUTES);
    expectSane(forecast, last, DAY_MINUTES);
    expect(forecast.model).toBe('daily-profile');
    for (const p of forecast.points) {
      expect(Math.abs(p.expected - daily(p.minute))).toBeLessThan(5);
      expect(p.upper - p.expected).toBeLessThan(10);
    }
  });

  it('forecasts a constant series as that constant with an upper equal to it', () => {
    const forecast = forecastLoad(
      series(3 * DAY_MINUTES, () => 250),
      90,
    );
    expectSane(forecast, 3 * DAY_MINUTES - 1, 90);
    for (const p of forecast.points) {
      expect(p.expected).toBeCloseTo(250, 6);
      expect(p.upper).toBeCloseTo(250, 6);
    }
  });

  it('keeps upper ≥ expected ≥ 0 for zeros, spikes and noise', () => {
    const zeros = forecastLoad(
      series(2 * DAY_MINUTES + 17, () => 0),
      300,
    );
    expectSane(zeros, 2 * DAY_MINUTES + 16, 300);
    expect(zeros.points.every((p) => p.expected === 0 && p.upper === 0)).toBe(true);

    const rnd = random(7);
    const spiky = forecastLoad(
      series(4 * DAY_MINUTES, () => (rnd() < 0.02 ? 5000 * rnd() : rnd() < 0.5 ? 0 : rnd())),
      2 * DAY_MINUTES,
    );
    expectSane(spiky, 4 * DAY_MINUTES - 1, 2 * DAY_MINUTES);

    const falling = forecastLoad(
      series(3 * DAY_MINUTES, (m) => Math.max(0, 3 * DAY_MINUTES - m * 1.2)),
      DAY_MINUTES,
    );
    expectSane(falling, 3 * DAY_MINUTES - 1, DAY_MINUTES);
  });

  it('gives an upper that covers fresh noise about as often as its quantile says', () => {
    const rnd = random(42);
    const noisy = (m: number): number => daily(m) * (1 + 0.1 * (rnd() + rnd() + rnd() - 1.5));
    const history = series(10 * DAY_MINUTES, noisy);
    const forecast = forecastLoad(history, DAY_MINUTES);
    const actual = forecast.points.map((p) => noisy(p.minute));
    const covered = forecast.points.filter((p, i) => actual[i] <= p.upper).length;
    const coverage = covered / forecast.points.length;
    expect(coverage).toBeGreaterThan(0.88);
    expect(coverage).toBeLessThan(0.995);
    const meanMargin =
      forecast.points.reduce((s, p) => s + p.upper / p.expected - 1, 0) / forecast.points.length;
    expect(meanMargin).toBeLessThan(0.2);
  });

  it('moves the forecast when the level shifts in the last hours', () => {
    const steady = series(6 * DAY_MINUTES, daily);
    const shifted = steady.map((p, i) =>
      i >= steady.length - 180 ? { ...p, requests: 2 * p.requests } : p,
    );
    const before = forecastLoad(steady, 120);
    const after = forecastLoad(shifted, 120);
    for (let i = 0; i < 30; i++) {
      expect(after.points[i].expected).toBeGreaterThan(1.5 * before.points[i].expected);
    }
  });

  it('raises upper at the minutes of the day where bursts recur, and only there', () => {
    const rnd = random(3);
    // A 10-minute burst at 4× the load from minute 600 of the day, on about half of the days.
    const burstDays = new Set([0, 2, 3, 5, 7, 8]);
    const load = (m: number): number => {
      const day = Math.floor(m / DAY_MINUTES);
      const minuteOfDay = m % DAY_MINUTES;
      const base = 1000 * (1 + 0.05 * (rnd() - 0.5));
      return burstDays.has(day) && minuteOfDay >= 600 && minuteOfDay < 610 ? 4 * base : base;
    };
    const forecast = forecastLoad(series(9 * DAY_MINUTES, load), DAY_MINUTES);
    expectSane(forecast, 9 * DAY_MINUTES - 1, DAY_MINUTES);
    const at = (minuteOfDay: number) => forecast.points[minuteOfDay];
    for (let m = 600; m < 610; m++) expect(at(m).upper).toBeGreaterThan(3000);
    const quiet = forecast.points.filter((_, i) => i < 590 || i >= 620);
    expect(Math.max(...quiet.map((p) => p.upper))).toBeLessThan(1200);
  });

  it('falls back to the recent level below two days of history, and says so', () => {
    const history = series(DAY_MINUTES, (m) => (m < DAY_MINUTES - 360 ? 100 : 400));
    const forecast = forecastLoad(history, 120);
    expectSane(forecast, DAY_MINUTES - 1, 120);
    expect(forecast.model).toBe('recent-level');
    expect(forecast.notes.join(' ')).toMatch(/daily seasonality.*2 days/);
    // The recent level, not the day's average.
    for (const p of forecast.points) expect(p.expected).toBeCloseTo(400, 6);
  });

  it('uses the daily profile over gaps in the history', () => {
    const history = series(5 * DAY_MINUTES, daily).filter((p) => p.minute % 7 !== 3);
    const forecast = forecastLoad(history, 600);
    expectSane(forecast, history.at(-1)!.minute, 600);
    expect(forecast.model).toBe('daily-profile');
    for (const p of forecast.points) expect(Math.abs(p.expected - daily(p.minute))).toBeLessThan(5);
  });

  it('replays only origins whose profile window holds data, so a long gap does not inflate upper', () => {
    // Two days, a week missing, then three days: replays from just after the gap used to see an
    // empty profile (all zeros) and scale upper to about 100 times the load.
    const history = [
      ...series(2 * DAY_MINUTES, daily),
      ...series(3 * DAY_MINUTES, daily, 9 * DAY_MINUTES),
    ];
    const forecast = forecastLoad(history, DAY_MINUTES);
    expectSane(forecast, 12 * DAY_MINUTES - 1, DAY_MINUTES);
    expect(forecast.model).toBe('daily-profile');
    for (const p of forecast.points) {
      expect(Math.abs(p.expected - daily(p.minute))).toBeLessThan(5);
      expect(p.upper - p.expected).toBeLessThan(10);
    }
  });

  it('falls back to the recent level when the last days before the forecast are mostly a gap', () => {
    // Two days, eight missing, then three hours: the profile's 7 days hold only those 3 hours.
    const history = [
      ...series(2 * DAY_MINUTES, daily),
      ...series(180, () => 700, 10 * DAY_MINUTES),
    ];
    const forecast = forecastLoad(history, 120);
    expectSane(forecast, 10 * DAY_MINUTES + 179, 120);
    expect(forecast.model).toBe('recent-level');
    expect(forecast.notes.join(' ')).toMatch(/last 7 days hold only 180 minutes/);
    for (const p of forecast.points) expect(p.expected).toBeCloseTo(700, 6);
  });

  it('says how much of a gappy profile window held data', () => {
    const history = [...series(3 * DAY_MINUTES, daily), ...series(60, daily, 8 * DAY_MINUTES)];
    const forecast = forecastLoad(history, 60);
    expect(forecast.model).toBe('daily-profile');
    expect(forecast.detail).toMatch(
      /daily profile of the last 7 days \(2880 of its 10080 minutes present\)/,
    );
  });

  it('counts only the minutes it reads: the last 15 days', () => {
    // Five days, twenty missing, then 100 minutes: the old days are too old to be read.
    const history = [...series(5 * DAY_MINUTES, daily), ...series(100, () => 5, 25 * DAY_MINUTES)];
    const forecast = forecastLoad(history, 60);
    expect(forecast.model).toBe('recent-level');
    expect(forecast.notes.join(' ')).toMatch(/^100 minutes of history in the last 15 days:/);
    // One row a day for 60 days: 15 of them fall in the days read, too few for a level.
    const daily60 = Array.from({ length: 60 }, (_, i) => ({
      minute: i * DAY_MINUTES,
      requests: 5,
    }));
    expect(() => forecastLoad(daily60, 60)).toThrow(
      /15 minutes of history in the last 15 days are too few to forecast: at least 60/,
    );
  });

  it('keeps upper near the load for a low-traffic service, whose minutes are often zero', () => {
    // Poisson counts averaging 0.5 a minute: the raw upper is 0 at some minutes and 1 or 2 at
    // others, and a correction learned where it was 0 (relative to 1% of the mean) once made
    // upper several times, on other draws a hundred times, the highest minute ever seen.
    const rnd = random(5);
    const poisson = (mean: number): number => {
      let k = 0;
      for (let p = rnd(); p > Math.exp(-mean); p *= rnd()) k++;
      return k;
    };
    const load = (m: number): number =>
      poisson(0.5 * (1 + 0.5 * Math.sin((2 * Math.PI * m) / DAY_MINUTES)));
    const history = series(10 * DAY_MINUTES, load);
    const forecast = forecastLoad(history, DAY_MINUTES);
    expectSane(forecast, 10 * DAY_MINUTES - 1, DAY_MINUTES);
    const highest = Math.max(...history.map((p) => p.requests));
    for (const p of forecast.points) expect(p.upper).toBeLessThanOrEqual(highest);
    const fresh = forecast.points.map((p) => load(p.minute));
    const covered = forecast.points.filter((p, i) => fresh[i] <= p.upper).length;
    expect(covered / DAY_MINUTES).toBeGreaterThan(0.9);
  });

  it('never lets the replayed correction raise upper above the highest load read', () => {
    // A batch caller: 1000 requests in about a third of the minutes, at random, none otherwise.
    const rnd = random(11);
    const history = series(9 * DAY_MINUTES, () => (rnd() < 0.36 ? 1000 : 0));
    const forecast = forecastLoad(history, DAY_MINUTES);
    expectSane(forecast, 9 * DAY_MINUTES - 1, DAY_MINUTES);
    // The raw upper (the quantile, 1000, plus the recent level's fading offset, at most the
    // recent mean of about 360) may exceed the highest load; the correction no longer adds to
    // it (it made upper about 2,000).
    for (const p of forecast.points) expect(p.upper).toBeLessThanOrEqual(1400);
  });

  it('scales by an offset, not a ratio, when the recent profile is all but zero', () => {
    // Quiet nights (0.01 a minute), busy days (1000); the last 3 hours, at night, jump to 100:
    // their ratio to the profile, 10,000, once scaled the next morning to 310,000 a minute.
    const quietNights = (m: number): number => (m % DAY_MINUTES < 600 ? 0.01 : 1000);
    const history = series(5 * DAY_MINUTES + 300, (m) =>
      m >= 5 * DAY_MINUTES + 120 ? 100 : quietNights(m),
    );
    const forecast = forecastLoad(history, DAY_MINUTES);
    expectSane(forecast, 5 * DAY_MINUTES + 299, DAY_MINUTES);
    for (const p of forecast.points) expect(p.upper).toBeLessThan(1500);
    // The night's new level carries on for a while, fading.
    expect(forecast.points[0].expected).toBeGreaterThan(90);
  });

  it(`refuses fewer than ${MIN_HISTORY_POINTS} points and a horizon that is not positive`, () => {
    expect(() =>
      forecastLoad(
        series(MIN_HISTORY_POINTS - 1, () => 5),
        10,
      ),
    ).toThrow(InputError);
    expect(() =>
      forecastLoad(
        series(MIN_HISTORY_POINTS - 1, () => 5),
        10,
      ),
    ).toThrow(
      new RegExp(`${MIN_HISTORY_POINTS - 1} minutes of history.*at least ${MIN_HISTORY_POINTS}`),
    );
    const minimal = forecastLoad(
      series(MIN_HISTORY_POINTS, () => 5),
      10,
    );
    expectSane(minimal, MIN_HISTORY_POINTS - 1, 10);
    expect(() =>
      forecastLoad(
        series(200, () => 5),
        0,
      ),
    ).toThrow(/horizon/);
  });
});
