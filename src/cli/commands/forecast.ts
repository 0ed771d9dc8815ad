/**
 * `tars forecast --input CSV --horizon 24h --out CSV`: the load forecast of the scaling analyzer
 * on its own. Reads `minute,requests`, writes `minute,expected,upper` for every minute of the
 * horizon after the input's last minute, and prints a one-line summary.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { errorMessage, InputError } from '../../errors.js';
import { forecastLoad } from '../../forecast/model.js';
import { formatForecastCsv, parseLoadCsv } from '../../forecast/series.js';
import { parseDuration } from '../../plan/duration.js';
import { writeFileAtomically } from '../../util/atomic-write.js';
import type { CommandContext } from '../context.js';

/** A daily profile says little about next month; past this the output would only mislead. */
const MAX_HORIZON_MINUTES = 31 * 1440;

interface ForecastOptions {
  readonly input: string;
  readonly horizon: string;
  readonly out: string;
}

export function registerForecastCommand(program: Command, context: CommandContext): void {
  program
    .command('forecast')
    .description(
      'Forecast per-minute load (CSV minute,requests) over a horizon: expected and the upper level to provision for.',
    )
    .requiredOption('--input <csv>', 'history: header minute,requests, one row per minute')
    .requiredOption('--horizon <duration>', 'how far to forecast, in whole minutes: 90m, 24h, 2d')
    .requiredOption('--out <csv>', 'forecast to write: minute,expected,upper')
    .action(async (options: ForecastOptions) => {
      const horizonMinutes = parseHorizon(options.horizon);
      const history = parseLoadCsv(readInput(options.input), options.input);
      const forecast = forecastLoad(history, horizonMinutes);
      for (const note of forecast.notes) context.io.stderr(`tars: ${note}\n`);
      try {
        await writeFileAtomically(options.out, formatForecastCsv(forecast.points));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new InputError(`--out: cannot write ${options.out} (${code ?? errorMessage(e)})`);
      }
      const first = forecast.points[0].minute;
      const last = forecast.points.at(-1)!.minute;
      context.io.stdout(
        `forecast: ${forecast.points.length} rows (minutes ${first}–${last}, horizon ${options.horizon}) from ${history.length} minutes of history by ${forecast.model} (${forecast.detail}) → ${options.out}\n`,
      );
    });
}

function parseHorizon(text: string): number {
  const seconds = parseDuration(text, '--horizon');
  if (seconds <= 0 || seconds % 60 !== 0) {
    throw new InputError(
      `--horizon "${text}" must be more than zero and a whole number of minutes`,
    );
  }
  const minutes = seconds / 60;
  if (minutes > MAX_HORIZON_MINUTES) {
    throw new InputError(`--horizon "${text}" is longer than the 31 days a forecast can cover`);
  }
  return minutes;
}

function readInput(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`--input: cannot read ${file} (${code ?? errorMessage(e)})`);
  }
}
