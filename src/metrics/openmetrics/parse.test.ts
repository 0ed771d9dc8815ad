import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError, NotFoundError } from '../../errors.js';
import { SERIES } from '../queries.js';
import { normalizeSamples, parseOpenMetricsFile, parseSampleLine } from './parse.js';
import { findOpenMetricsFiles, OpenMetricsHistorySource } from './source.js';
import { formatOpenMetrics } from './write.js';

describe('parseSampleLine', () => {
  it('reads name, labels with escapes, value and a fractional timestamp', () => {
    expect(parseSampleLine('m{a="x\\"y",b="l1\\nl2",c="\\\\"} 1.5e3 1700000000.25')).toEqual({
      name: 'm',
      labels: { a: 'x"y', b: 'l1\nl2', c: '\\' },
      value: 1500,
      timestamp: 1700000000.25,
    });
  });

  it('accepts no labels, special values, a trailing comma and an exemplar', () => {
    expect(parseSampleLine('up NaN 10').value).toBeNaN();
    expect(parseSampleLine('up +Inf 10').value).toBe(Infinity);
    expect(parseSampleLine('m{a="1",} 2 10').labels).toEqual({ a: '1' });
    expect(parseSampleLine('c_total{a="1"} 7 10 # {trace_id="abc"} 1 9')).toMatchObject({
      value: 7,
      timestamp: 10,
    });
  });
});

describe('parseOpenMetricsFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tars-om-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function parse(text: string) {
    const file = join(dir, 'h.om');
    await writeFile(file, text);
    return parseOpenMetricsFile(file, new Set(['m']));
  }

  it.each([
    ['m{a="1"} 2', 'sample has no timestamp'],
    ['m{a="1" 2 10', 'expected , or } after a label'],
    ['m{a=1} 2 10', 'expected ="…" after label a'],
    ['m{a="1} 2 10', 'unterminated value of label a'],
    ['m{a="1"} two 10', 'invalid value "two"'],
    ['m{a="1"} 2 later', 'invalid timestamp "later"'],
    ['m{a="1"} 2 10 11', 'expected "value timestamp"'],
    ['9m 2 10', 'expected a metric name'],
    ['# SOMETHING m', 'unknown comment'],
  ])('rejects %j naming the file and line', async (line, reason) => {
    const error = await parse(`# TYPE m gauge\nm 1 5\n${line}\n# EOF\n`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message.startsWith(`${join(dir, 'h.om')}:3: ${reason}`)).toBe(true);
  });

  it('rejects content after # EOF', async () => {
    const error = await parse('m 1 5\n# EOF\nm 2 6\n').catch((e: unknown) => e);
    expect((error as Error).message).toContain('h.om:3: content after # EOF');
  });

  it('keeps only the wanted metrics, but checks every line', async () => {
    const parsed = await parse('other 1 5\nm{a="1"} 2 10\nm{a="1"} 3 20\n# EOF\n');
    expect(parsed.samples).toBe(3);
    expect([...parsed.series.values()]).toEqual([
      {
        name: 'm',
        labels: { a: '1' },
        samples: [
          { t: 10, v: 2 },
          { t: 20, v: 3 },
        ],
      },
    ]);
  });

  it('reads back what formatOpenMetrics writes', async () => {
    const series = { name: 'm', labels: { a: 'q"uote', b: 'x' }, samples: [{ t: 1, v: 0.5 }] };
    const parsed = await parse(formatOpenMetrics([{ name: 'm', type: 'gauge', series: [series] }]));
    expect([...parsed.series.values()]).toEqual([series]);
  });
});

describe('normalizeSamples', () => {
  it('sorts by time and keeps the last sample written for a timestamp', () => {
    expect(
      normalizeSamples([
        { t: 20, v: 1 },
        { t: 10, v: 2 },
        { t: 20, v: 3 },
      ]),
    ).toEqual([
      { t: 10, v: 2 },
      { t: 20, v: 3 },
    ]);
  });
});

describe('OpenMetricsHistorySource', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tars-om-src-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds *.om files recursively, skipping hidden folders', async () => {
    await mkdir(join(dir, 'history', 'more'), { recursive: true });
    await mkdir(join(dir, '.git'), { recursive: true });
    for (const f of ['history/a.om', 'history/more/b.om', '.git/c.om', 'history/d.txt']) {
      await writeFile(join(dir, f), '# EOF\n');
    }
    expect(await findOpenMetricsFiles(dir)).toEqual([
      join(dir, 'history', 'a.om'),
      join(dir, 'history', 'more', 'b.om'),
    ]);
  });

  it('is NotFoundError when there is no history', async () => {
    const source = new OpenMetricsHistorySource({ dir });
    await expect(
      source.fetch({ namespaces: [], start: 0, end: 0, stepSeconds: 300 }),
    ).rejects.toThrow(NotFoundError);
  });

  it('merges files, filters namespaces and reports the covered range', async () => {
    const memory = (namespace: string, t: number) =>
      formatOpenMetrics([
        {
          name: SERIES.memory,
          type: 'gauge',
          series: [
            {
              name: SERIES.memory,
              labels: { namespace, pod: 'p', container: 'c' },
              samples: [{ t, v: t }],
            },
          ],
        },
      ]);
    await writeFile(join(dir, 'a.om'), memory('a', 600));
    await writeFile(join(dir, 'b.om'), memory('a', 900) + '');
    await writeFile(join(dir, 'c.om'), memory('b', 900));
    const source = new OpenMetricsHistorySource({ dir });
    expect(await source.coveredRange()).toEqual({ start: 600, end: 900 });
    const history = await source.fetch({
      namespaces: ['a'],
      start: 600,
      end: 900,
      stepSeconds: 300,
    });
    expect(history.containers).toEqual([
      {
        key: { namespace: 'a', pod: 'p', container: 'c' },
        cpu: [],
        memory: [
          { t: 600, v: 600 },
          { t: 900, v: 900 },
        ],
      },
    ]);
  });
});
