import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { clockNote, formatForecastCsv, parseLoadCsv } from './series.js';

function parseError(text: string): string {
  try {
    parseLoadCsv(text, 'in.csv');
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('parseLoadCsv', () => {
  it('reads minute,requests rows, with CRLF, a trailing newline and gaps', () => {
    const points = parseLoadCsv('minute,requests\r\n10,5\r\n11,2.5\r\n15,0\r\n', 'in.csv');
    expect(points).toEqual([
      { minute: 10, requests: 5 },
      { minute: 11, requests: 2.5 },
      { minute: 15, requests: 0 },
    ]);
  });

  it('names file, line and field for every kind of bad input', () => {
    expect(parseError('minute,reqs\n1,2\n')).toMatch(/in\.csv line 1.*header.*minute,requests/);
    expect(parseError('requests,minute\n1,2\n')).toMatch(/in\.csv line 1/);
    expect(parseError('minute,requests\n1,2\n2,abc\n')).toMatch(
      /in\.csv line 3, field requests: "abc" is not a number ≥ 0/,
    );
    expect(parseError('minute,requests\n1,2\n2,-1\n')).toMatch(
      /in\.csv line 3, field requests: "-1"/,
    );
    expect(parseError('minute,requests\n1,2\n2,\n')).toMatch(/line 3, field requests/);
    expect(parseError('minute,requests\n1,2\n2,NaN\n')).toMatch(/line 3, field requests/);
    expect(parseError('minute,requests\n1,2\n2,Infinity\n')).toMatch(/line 3, field requests/);
    expect(parseError('minute,requests\n1,2\n2,0x10\n')).toMatch(/line 3, field requests/);
    expect(parseError('minute,requests\n1.5,2\n')).toMatch(/line 2, field minute: "1.5"/);
    expect(parseError('minute,requests\n5,2\n4,2\n')).toMatch(
      /in\.csv line 3, field minute: 4 .*after 5/,
    );
    expect(parseError('minute,requests\n5,2\n5,2\n')).toMatch(/line 3, field minute: 5/);
    expect(parseError('minute,requests\n5,2,7\n')).toMatch(/line 2.*2 fields/);
    expect(parseError('minute,requests\n5,2\n\n6,2\n')).toMatch(/line 3/);
  });

  it('refuses an input without rows', () => {
    expect(parseError('minute,requests\n')).toMatch(/in\.csv.*no rows/);
    expect(parseError('')).toMatch(/in\.csv line 1.*header/);
  });
});

describe('formatForecastCsv', () => {
  it('writes at most two decimals and never an exponent', () => {
    const csv = formatForecastCsv([
      { minute: 7, expected: 1 / 3, upper: 2.005 },
      { minute: 8, expected: 1e-9, upper: 123456789012.345 },
      { minute: 9, expected: 0, upper: 4 },
    ]);
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe('minute,expected,upper');
    expect(lines).toHaveLength(4);
    for (const line of lines.slice(1)) {
      expect(line).toMatch(/^\d+,\d+(\.\d{1,2})?,\d+(\.\d{1,2})?$/);
    }
    expect(lines[1]).toMatch(/^7,0\.33,/);
    expect(lines[3]).toBe('9,0,4');
  });
});

describe('clockNote', () => {
  const every = (step: number, start = 0) =>
    Array.from({ length: 100 }, (_, i) => ({ minute: start + i * step, requests: 1 }));

  it('stays silent for minutes, gaps and 5-minute data', () => {
    expect(clockNote(every(1))).toBeUndefined();
    expect(clockNote(every(5))).toBeUndefined();
    expect(clockNote(every(1).filter((p) => p.minute % 3 !== 0))).toBeUndefined();
    expect(clockNote(every(1).slice(0, 1))).toBeUndefined();
  });

  it('names unix seconds and milliseconds by their step', () => {
    expect(clockNote(every(60, 1_700_000_000))).toMatch(/60 minutes apart.*unix seconds/);
    expect(clockNote(every(60_000, 1_700_000_000_000))).toMatch(/unix milliseconds.*by 60000/);
  });
});
