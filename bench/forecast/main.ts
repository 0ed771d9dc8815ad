/**
 * `npm run bench:forecast`: the load forecast of `tars forecast` (src/forecast/model.ts, the
 * command's own code path) against naive baselines on the Twitter trace, rolling origin, 24 h
 * ahead from every day boundary. Development origins (first half, where the parameters were
 * chosen by bench/forecast/tune.ts) and judged origins (second half) are reported apart.
 * Prints a table and writes bench/forecast/results.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { DEFAULT_FORECAST_PARAMS } from '../../src/forecast/model.js';
import { projectRoot } from '../../test/support/project-root.js';
import {
  evaluate,
  HORIZON,
  loadTrace,
  naive,
  origins,
  seasonalNaive,
  seasonalNaiveCalibrated,
  tarsForecaster,
  type Forecaster,
  type Score,
} from './evaluate.js';

const MODELS: [string, Forecaster][] = [
  ['TARS (daily profile + p95 backtest)', tarsForecaster()],
  ['naive (last value)', naive],
  ['seasonal naive (same minute yesterday)', seasonalNaive],
  [
    'seasonal naive + own p95 margin',
    seasonalNaiveCalibrated(DEFAULT_FORECAST_PARAMS.upperQuantile),
  ],
];

async function main(): Promise<void> {
  const started = Date.now();
  const trace = loadTrace();
  const split = origins(trace);
  console.log(
    `${trace.length} minutes; horizon ${HORIZON} min; ${split.development.length} development and ${split.judged.length} judged origins`,
  );
  const results: Record<string, Record<string, Score>> = {};
  for (const [part, originMinutes] of [
    ['development', split.development],
    ['judged', split.judged],
  ] as const) {
    console.log(`\n${part} origins (day ${originMinutes.map((o) => o / 1440).join(', ')})`);
    console.log('| model | WAPE of expected | coverage of upper | over-provision of upper |');
    console.log('| --- | ---: | ---: | ---: |');
    results[part] = {};
    for (const [name, forecaster] of MODELS) {
      const score = evaluate(trace, originMinutes, forecaster);
      results[part][name] = score;
      console.log(
        `| ${name} | ${pct(score.wape)} | ${pct(score.coverage)} | ${pct(score.overProvision)} |`,
      );
    }
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(`\n${seconds.toFixed(1)} s`);
  const file = join(projectRoot(), 'bench', 'forecast', 'results.json');
  const json = JSON.stringify(
    {
      trace: 'test/fixtures/traces/twitter-requests-per-minute.csv',
      horizonMinutes: HORIZON,
      params: {
        ...DEFAULT_FORECAST_PARAMS,
        levelHalfLifeMinutes: String(DEFAULT_FORECAST_PARAMS.levelHalfLifeMinutes),
      },
      origins: split,
      results,
    },
    null,
    2,
  );
  // Formatted as the repository's Prettier check wants it, so a re-run keeps `npm run lint` clean.
  writeFileSync(file, await format(json, { ...(await resolveConfig(file)), filepath: file }));
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

await main();
