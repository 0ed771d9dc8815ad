import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError, NotFoundError } from '../errors.js';
import { smallModel } from '../charts/fixtures/small-model.js';
import { readModel, serializeModel, sortKeysDeep, writeModel } from './serialize.js';
import type { DesiredState } from './types.js';

/** The same data with every object's keys in reverse insertion order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reverseKeys(v)]),
  );
}

function keysSortedEverywhere(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(keysSortedEverywhere);
  if (value === null || typeof value !== 'object') return true;
  const keys = Object.keys(value);
  const sorted = [...keys].sort();
  return keys.every((k, i) => k === sorted[i]) && Object.values(value).every(keysSortedEverywhere);
}

describe('serializeModel', () => {
  it('writes keys sorted at every level, two-space indent and a final newline', () => {
    const text = serializeModel(smallModel());
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "apiVersion": "tars.dev/v1alpha1",');
    expect(keysSortedEverywhere(JSON.parse(text))).toBe(true);
  });

  it('does not depend on the order fields were built in', () => {
    const model = smallModel();
    expect(serializeModel(reverseKeys(model) as DesiredState)).toBe(serializeModel(model));
  });

  it('keeps array order and drops undefined fields', () => {
    expect(sortKeysDeep({ b: [3, 1, 2], a: undefined, c: { z: 1, y: null } })).toEqual({
      b: [3, 1, 2],
      c: { y: null, z: 1 },
    });
    expect(JSON.stringify(sortKeysDeep({ b: 1, a: undefined, c: 2 }))).toBe('{"b":1,"c":2}');
  });
});

describe('readModel and writeModel', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tars-model-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips a model, byte-stable on rewrite, with no temporary file left', async () => {
    const file = join(dir, 'out', 'model.json');
    await writeModel(file, smallModel());
    const first = await readFile(file, 'utf8');
    const read = await readModel(file);
    expect(read).toEqual(smallModel());
    await writeModel(file, read);
    expect(await readFile(file, 'utf8')).toBe(first);
    expect(await readdir(join(dir, 'out'))).toEqual(['model.json']);
  });

  it('names a missing file', async () => {
    const missing = join(dir, 'nope.json');
    await expect(readModel(missing)).rejects.toThrow(NotFoundError);
    await expect(readModel(missing)).rejects.toThrow(`model file ${missing} does not exist`);
  });

  it('names a file that is not JSON', async () => {
    const file = join(dir, 'model.json');
    await writeFile(file, '{"apiVersion": ');
    await expect(readModel(file)).rejects.toThrow(InputError);
    await expect(readModel(file)).rejects.toThrow(`model file ${file} is not valid JSON`);
  });

  it('points at the line of each invalid field', async () => {
    const file = join(dir, 'model.json');
    const text = serializeModel(smallModel()).replace('"phase": 3', '"phase": 9');
    await writeFile(file, text);
    const line = text.split('\n').findIndex((l) => l.includes('"phase": 9')) + 1;
    await expect(readModel(file)).rejects.toThrow(`${file}:${line}: rollout.phase: must be one of`);
  });
});
