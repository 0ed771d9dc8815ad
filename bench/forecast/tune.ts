/**
 * `npm run bench:forecast-tune`: the parameter search of the load forecast, on the development
 * origins only (bench/forecast/evaluate.ts); it never forecasts a judged day.
 * Stage 1 ranks every combination of the grid by the WAPE of `expected`. Stage 2 compares, with
 * the best stage-1 parameters, the quantile profile that `upper` starts from; the coverage that
 * `upper` is calibrated to (p95) is a provisioning choice, not searched.
 */
import {
  DEFAULT_FORECAST_PARAMS,
  expectedLoad,
  type ForecastParams,
} from '../../src/forecast/model.js';
import {
  evaluate,
  loadTrace,
  origins,
  tarsForecaster,
  type Forecaster,
  type Score,
} from './evaluate.js';

const GRID = {
  profileCentre: ['median', 'interquartile-mean'] as const,
  profileDays: [3, 5, 7, 14],
  smoothingMinutes: [0, 2, 5, 15],
  levelMinutes: [30, 60, 180],
  levelHalfLifeMinutes: [60, 360, 1440, Infinity],
};

/** `expected` alone (upper = expected), for a fast stage 1. */
function expectedOnly(params: ForecastParams): Forecaster {
  return (history, horizon) => {
    const last = history.at(-1)!.minute;
    return expectedLoad(history, horizon, params).map((e, i) => ({
      minute: last + 1 + i,
      expected: e,
      upper: e,
    }));
  };
}

function main(): void {
  const trace = loadTrace();
  const { development } = origins(trace);
  console.log(`development origins (day): ${development.map((o) => o / 1440).join(', ')}`);
  const rows: [ForecastParams, Score][] = [];
  for (const profileCentre of GRID.profileCentre)
    for (const profileDays of GRID.profileDays)
      for (const smoothingMinutes of GRID.smoothingMinutes)
        for (const levelMinutes of GRID.levelMinutes)
          for (const levelHalfLifeMinutes of GRID.levelHalfLifeMinutes) {
            const params: ForecastParams = {
              ...DEFAULT_FORECAST_PARAMS,
              profileCentre,
              profileDays,
              smoothingMinutes,
              levelMinutes,
              levelHalfLifeMinutes,
            };
            rows.push([params, evaluate(trace, development, expectedOnly(params))]);
          }
  rows.sort((a, b) => a[1].wape - b[1].wape);
  console.log('\nstage 1: WAPE of expected, best 12 and the shipped defaults');
  console.log('centre              days smooth level half-life   WAPE');
  const isDefault = ([p]: [ForecastParams, Score]) =>
    (Object.keys(GRID) as (keyof typeof GRID)[]).every((k) => p[k] === DEFAULT_FORECAST_PARAMS[k]);
  rows.forEach((row, rank) => {
    if (rank >= 12 && !isDefault(row)) return;
    const [p, s] = row;
    console.log(
      [
        p.profileCentre.padEnd(18),
        String(p.profileDays).padStart(5),
        String(p.smoothingMinutes).padStart(6),
        String(p.levelMinutes).padStart(5),
        String(p.levelHalfLifeMinutes).padStart(10),
        pct(s.wape).padStart(6),
        `#${rank + 1}${isDefault(row) ? ' (shipped defaults)' : ''}`,
      ].join(' '),
    );
  });

  const best = rows[0][0];
  console.log('\nstage 2: upper with the best stage-1 parameters (rule: least over-provision');
  console.log('among the options that cover at least 93% of development minutes)');
  console.log('profile quantile  coverage  over-provision');
  for (const upperProfileQuantile of [0.5, 0.75, 0.9, 0.95]) {
    const s = evaluate(trace, development, tarsForecaster({ ...best, upperProfileQuantile }));
    const shipped = upperProfileQuantile === DEFAULT_FORECAST_PARAMS.upperProfileQuantile;
    console.log(
      `${String(upperProfileQuantile).padEnd(16)} ${pct(s.coverage).padStart(9)} ${pct(s.overProvision).padStart(15)}${shipped ? '  (shipped)' : ''}`,
    );
  }
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

main();
