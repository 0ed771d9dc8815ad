/**
 * `tars forecast --input CSV --horizon 24h --out CSV`: the load forecast of the scaling analyzer
 * on its own. Reads `minute,requests`, writes `minute,expected,upper` for every minute of the
 * horizon after the input's last minute, and prints a one-line summary.
 */
import { readFileSync } from 'node:fs';
import { sep } from 'node:path';
import type { Command } from 'commander';
import { errorMessage, InputError } from '../../errors.js';
import { forecastLoad } from '../../forecast/model.js';
import {
  clockNote,
  type ForecastPoint,
  formatForecastCsv,
  parseLoadCsv,
} from '../../forecast/series.js';
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
      // Before forecasting: a millisecond clock leaves too few minutes to forecast at all.
      const clock = clockNote(history);
      if (clock !== undefined) context.io.stderr(`tars: ${clock}\n`);
      const forecast = forecastLoad(history, horizonMinutes);
      for (const note of forecast.notes) context.io.stderr(`tars: ${note}\n`);
      await writeOutput(options.out, formatForecastCsv(forecast.points));
      const rows = forecast.points.length;
      context.io.stdout(
        `forecast: ${rows} row${rows === 1 ? '' : 's'} (${minuteSpan(forecast.points)}, horizon ${options.horizon}) from ${history.length} minutes of history by ${forecast.model} (${forecast.detail}) → ${options.out}\n`,
      );
    });
}

/** `minute 200`, or `minutes 200–289`. */
function minuteSpan(points: readonly ForecastPoint[]): string {
  const first = points[0].minute;
  const last = points.at(-1)!.minute;
  return first === last ? `minute ${first}` : `minutes ${first}–${last}`;
}

/** Why `--out` cannot be written, in words where the error code alone would puzzle. */
const UNWRITABLE: Readonly<Record<string, string>> = {
  EISDIR: 'it is a directory',
  // mkdir of the parents says EEXIST when one of them is a file.
  EEXIST: 'a parent is not a directory',
  ENOTDIR: 'a parent is not a directory',
  EACCES: 'permission denied',
  EROFS: 'read-only file system',
};

async function writeOutput(out: string, content: string): Promise<void> {
  // A trailing slash names a directory: the rename into place would fail with ENOTDIR.
  if (out.endsWith('/') || out.endsWith(sep)) {
    throw new InputError(`--out: cannot write ${out} (it names a directory)`);
  }
  try {
    await writeFileAtomically(out, content);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = (code === undefined ? undefined : UNWRITABLE[code]) ?? code ?? errorMessage(e);
    throw new InputError(`--out: cannot write ${out} (${why})`);
  }
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
