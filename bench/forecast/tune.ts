/**
 * `npm run bench:forecast-tune`: the parameter search of the load forecast, on the development
 * origins only (bench/forecast/evaluate.ts); it never forecasts a judged day. Ranks every
 * combination of the grid by the WAPE of `expected`; the quantile of `upper` is a provisioning
 * choice (p95), not searched.
 */
import { DEFAULT_FORECAST_PARAMS, type ForecastParams } from '../../src/forecast/model.js';
import { evaluate, loadTrace, origins, tarsForecaster, type Score } from './evaluate.js';

const GRID = {
  profileDays: [3, 5, 7, 14],
  smoothingMinutes: [0, 2, 5, 15],
  levelMinutes: [30, 60, 180],
  levelHalfLifeMinutes: [60, 360, 1440, Infinity],
};

function main(): void {
  const trace = loadTrace();
  const { development } = origins(trace);
  console.log(`development origins (minutes): ${development.join(', ')}`);
  const rows: [ForecastParams, Score][] = [];
  for (const profileDays of GRID.profileDays)
    for (const smoothingMinutes of GRID.smoothingMinutes)
      for (const levelMinutes of GRID.levelMinutes)
        for (const levelHalfLifeMinutes of GRID.levelHalfLifeMinutes) {
          const params = {
            ...DEFAULT_FORECAST_PARAMS,
            profileDays,
            smoothingMinutes,
            levelMinutes,
            levelHalfLifeMinutes,
          };
          rows.push([params, evaluate(trace, development, tarsForecaster(params))]);
        }
  rows.sort((a, b) => a[1].wape - b[1].wape);
  console.log('days smooth level half-life   WAPE  coverage  over-provision');
  for (const [p, s] of rows.slice(0, 15)) {
    console.log(
      [
        String(p.profileDays).padStart(4),
        String(p.smoothingMinutes).padStart(6),
        String(p.levelMinutes).padStart(5),
        String(p.levelHalfLifeMinutes).padStart(10),
        pct(s.wape).padStart(6),
        pct(s.coverage).padStart(9),
        pct(s.overProvision).padStart(15),
      ].join(' '),
    );
  }
  const current = rows.findIndex(
    ([p]) =>
      p.profileDays === DEFAULT_FORECAST_PARAMS.profileDays &&
      p.smoothingMinutes === DEFAULT_FORECAST_PARAMS.smoothingMinutes &&
      p.levelMinutes === DEFAULT_FORECAST_PARAMS.levelMinutes &&
      p.levelHalfLifeMinutes === DEFAULT_FORECAST_PARAMS.levelHalfLifeMinutes,
  );
  console.log(`the shipped defaults rank ${current + 1} of ${rows.length}`);
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

main();
