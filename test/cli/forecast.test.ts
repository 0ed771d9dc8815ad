// `tars forecast` as a user runs it: CSV in, CSV out, and bad input refused with the file,
// line and field named, leaving no output file behind.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, tars } from './run-tars.js';

const TRACE = join(REPO_ROOT, 'test', 'fixtures', 'traces', 'twitter-requests-per-minute.csv');

function workDir(): string {
  return mkdtempSync(join(tmpdir(), 'tars-forecast-'));
}

/** The first `minutes` rows of the Twitter trace, as the command reads them. */
function traceSlice(minutes: number): string {
  return (
    readFileSync(TRACE, 'utf8')
      .split('\n')
      .slice(0, minutes + 1)
      .join('\n') + '\n'
  );
}

describe('tars forecast', () => {
  it('writes one row per minute of the horizon, continuing the input minutes', () => {
    const dir = workDir();
    const input = join(dir, 'in.csv');
    writeFileSync(input, traceSlice(3 * 1440));
    const out = join(dir, 'out.csv');
    const run = tars(['forecast', '--input', input, '--horizon', '90m', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).toMatch(/90 rows/);
    expect(run.stdout).toMatch(/daily-profile/);

    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('minute,expected,upper');
    expect(lines).toHaveLength(91);
    lines.slice(1).forEach((line, i) => {
      const [minute, expected, upper] = line.split(',').map(Number) as [number, number, number];
      expect(minute).toBe(3 * 1440 + i);
      expect(Number.isFinite(expected) && Number.isFinite(upper)).toBe(true);
      expect(upper).toBeGreaterThanOrEqual(expected);
      expect(expected).toBeGreaterThanOrEqual(0);
      // The trace runs between about 2,000 and 6,000 requests a minute.
      expect(expected).toBeGreaterThan(1000);
      expect(expected).toBeLessThan(10_000);
    });
    expect(readdirSync(dir).sort()).toEqual(['in.csv', 'out.csv']);
  });

  it('forecasts a single minute, with a BOM before the header, onto its own input file', () => {
    const dir = workDir();
    const input = join(dir, 'in.csv');
    writeFileSync(input, `\uFEFF${traceSlice(200)}`);
    const run = tars(['forecast', '--input', input, '--horizon', '1m', '--out', input]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^forecast: 1 row \(minute 200, horizon 1m\) from 200 minutes /);
    expect(readFileSync(input, 'utf8')).toMatch(/^minute,expected,upper\n200,[\d.]+,[\d.]+\n$/);
  });

  it('says on stderr when the minutes look like unix seconds', () => {
    const dir = workDir();
    const input = join(dir, 'in.csv');
    const rows = ['minute,requests'];
    for (let i = 0; i < 3 * 1440; i++) rows.push(`${1_700_000_000 + 60 * i},${100 + (i % 7)}`);
    writeFileSync(input, rows.join('\n') + '\n');
    const run = tars([
      'forecast',
      '--input',
      input,
      '--horizon',
      '1h',
      '--out',
      join(dir, 'o.csv'),
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /rows are mostly 60 minutes apart: if .*unix seconds, divide it by 60/,
    );
  });

  it('accepts CRLF input with gaps, and says on stderr what a short history falls back to', () => {
    const dir = workDir();
    const input = join(dir, 'in.csv');
    const rows = ['minute,requests', '100,5', '101,7', '105,6'];
    for (let m = 106; m < 400; m++) rows.push(`${m},${(m % 13) + 0.5}`);
    writeFileSync(input, rows.join('\r\n') + '\r\n');
    const out = join(dir, 'out.csv');
    const run = tars(['forecast', '--input', input, '--horizon', '1h', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/daily seasonality/);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(61);
    expect(lines[1]).toMatch(/^400,/);
    expect(lines[60]).toMatch(/^459,/);
  });

  const bad: [string, string, RegExp][] = [
    ['a bad header', 'minute,reqs\n1,2\n', /in\.csv line 1.*header/],
    ['a non-number', 'minute,requests\n1,2\n2,abc\n', /in\.csv line 3, field requests: "abc"/],
    ['a negative', 'minute,requests\n1,2\n2,-4\n', /in\.csv line 3, field requests: "-4"/],
    ['a decreasing minute', 'minute,requests\n1,2\n3,2\n2,2\n', /in\.csv line 4, field minute/],
    ['an empty', 'minute,requests\n', /in\.csv.*no rows/],
  ];
  for (const [what, content, message] of bad) {
    it(`exits 2 on ${what} input, naming it, and writes nothing`, () => {
      const dir = workDir();
      writeFileSync(join(dir, 'in.csv'), content);
      const out = join(dir, 'out.csv');
      const run = tars([
        'forecast',
        '--input',
        join(dir, 'in.csv'),
        '--horizon',
        '1h',
        '--out',
        out,
      ]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/at .*\.js:\d+/);
      expect(readdirSync(dir)).toEqual(['in.csv']);
    });
  }

  it('exits 2 on a missing input file, naming it', () => {
    const dir = workDir();
    const run = tars([
      'forecast',
      '--input',
      join(dir, 'nope.csv'),
      '--horizon',
      '1h',
      '--out',
      join(dir, 'o.csv'),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/nope\.csv/);
    expect(readdirSync(dir)).toEqual([]);
  });

  for (const horizon of ['0m', 'soon', '90s', '-1h', '']) {
    it(`exits 2 on --horizon "${horizon}"`, () => {
      const dir = workDir();
      writeFileSync(join(dir, 'in.csv'), traceSlice(200));
      const out = join(dir, 'out.csv');
      const run = tars([
        'forecast',
        '--input',
        join(dir, 'in.csv'),
        '--horizon',
        horizon,
        '--out',
        out,
      ]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/--horizon/);
      expect(readdirSync(dir)).toEqual(['in.csv']);
    });
  }

  it('exits 2 on an unwritable --out, naming it, and leaves nothing half-written', () => {
    const dir = workDir();
    writeFileSync(join(dir, 'in.csv'), traceSlice(200));
    // A directory where the file should go: the rename into place fails (even for root).
    const out = join(dir, 'taken');
    mkdirSync(out);
    const run = tars(['forecast', '--input', join(dir, 'in.csv'), '--horizon', '1h', '--out', out]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`${out} (it is a directory)`);
    expect(readdirSync(dir).sort()).toEqual(['in.csv', 'taken']);
    expect(readdirSync(out)).toEqual([]);
    // The same directory written as one.
    const slashed = tars([
      'forecast',
      '--input',
      join(dir, 'in.csv'),
      '--horizon',
      '1h',
      '--out',
      `${out}/`,
    ]);
    expect(slashed.code, slashed.stderr).toBe(2);
    expect(slashed.stderr).toContain(`${out}/ (it names a directory)`);
    expect(readdirSync(dir).sort()).toEqual(['in.csv', 'taken']);

    // A path below a regular file.
    const below = join(dir, 'in.csv', 'out.csv');
    const again = tars([
      'forecast',
      '--input',
      join(dir, 'in.csv'),
      '--horizon',
      '1h',
      '--out',
      below,
    ]);
    expect(again.code, again.stderr).toBe(2);
    // mkdir says EEXIST there, which names no cause a user would look for.
    expect(again.stderr).toContain(`${below} (a parent is not a directory)`);
  });
});
