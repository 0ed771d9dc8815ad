import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomically, writeTreeAtomically } from './atomic-write.js';

let work: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'tars-atomic-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Every file under `dir` with its content, keyed by relative path. */
async function readTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    out[relative(dir, full)] = await readFile(full, 'utf8');
  }
  return out;
}

describe('writeTreeAtomically', () => {
  it('creates the target with exactly the given files, parents included', async () => {
    const target = join(work, 'deep', 'generated', 'prod');
    await writeTreeAtomically(
      target,
      new Map([
        ['kustomization.yaml', 'k\n'],
        ['shop/deployment-web.yaml', 'd\n'],
      ]),
    );
    expect(await readTree(target)).toEqual({
      'kustomization.yaml': 'k\n',
      'shop/deployment-web.yaml': 'd\n',
    });
  });

  it('replaces the previous tree: files no longer listed disappear, siblings stay', async () => {
    const target = join(work, 'prod');
    await writeTreeAtomically(
      target,
      new Map([
        ['old/gone.yaml', 'x'],
        ['keep.yaml', 'v1'],
      ]),
    );
    await writeFile(join(work, 'other-cluster.txt'), 'untouched');
    await writeTreeAtomically(target, new Map([['keep.yaml', 'v2']]));
    expect(await readTree(target)).toEqual({ 'keep.yaml': 'v2' });
    expect((await readdir(work)).sort()).toEqual(['other-cluster.txt', 'prod']);
  });

  it('leaves the previous tree intact and no staging directory when a write fails', async () => {
    const target = join(work, 'prod');
    await writeTreeAtomically(target, new Map([['a.yaml', 'previous']]));
    // `x` is written as a file, so creating the directory `x/` for the next entry fails.
    const conflicting = new Map([
      ['x', 'file'],
      ['x/y.yaml', 'cannot exist'],
    ]);
    await expect(writeTreeAtomically(target, conflicting)).rejects.toThrow();
    expect(await readTree(target)).toEqual({ 'a.yaml': 'previous' });
    expect(await readdir(work)).toEqual(['prod']);
  });

  it('refuses paths that would leave the target, before writing anything', async () => {
    const target = join(work, 'prod');
    for (const bad of ['../escape.yaml', '/abs.yaml', 'a/../../b', './a', 'a//b', '']) {
      await expect(writeTreeAtomically(target, new Map([[bad, 'x']]))).rejects.toThrow(
        /not a plain relative path/,
      );
    }
    expect(await readdir(work)).toEqual([]);
  });

  it('clears what a crashed earlier write left beside the target', async () => {
    const target = join(work, 'prod');
    await mkdir(join(work, '.prod.tars-new-123-abc'));
    await mkdir(join(work, '.prod.tars-old-123-abc'));
    await mkdir(join(work, '.staging-of-someone-else'));
    await writeTreeAtomically(target, new Map([['a.yaml', 'a']]));
    expect((await readdir(work)).sort()).toEqual(['.staging-of-someone-else', 'prod']);
  });
});

describe('writeFileAtomically', () => {
  it('writes, replaces and leaves no temporary file', async () => {
    const file = join(work, 'sub', 'model.json');
    await writeFileAtomically(file, 'one\n');
    await writeFileAtomically(file, 'two\n');
    expect(await readFile(file, 'utf8')).toBe('two\n');
    expect(await readdir(join(work, 'sub'))).toEqual(['model.json']);
  });

  it('keeps the previous content when the rename cannot happen', async () => {
    const file = join(work, 'model.json');
    await writeFileAtomically(file, 'previous');
    // A directory in the way of the final rename makes it fail after the temp file was written.
    const blocked = join(work, 'blocked');
    await mkdir(join(blocked, 'inner'), { recursive: true });
    await expect(writeFileAtomically(blocked, 'x')).rejects.toThrow();
    expect((await readdir(work)).sort()).toEqual(['blocked', 'model.json']);
    expect(await readFile(file, 'utf8')).toBe('previous');
  });
});
