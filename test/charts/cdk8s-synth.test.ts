/**
 * `npx cdk8s synth` (cdk8s.yaml's app, run by the real cdk8s CLI) and `synthesize()` write the
 * same tree, byte for byte. Slow (the app compiles its entry first), so one synth per case.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  frontendHardening,
  smallModel,
  tarsNamespace,
  webRightsizing,
} from '../../src/charts/fixtures/small-model.js';
import { synthesize } from '../../src/charts/synthesize.js';
import { serializeModel } from '../../src/model/serialize.js';

const run = promisify(execFile);
const projectRoot = resolve(import.meta.dirname, '..', '..');

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tars-cdk8s-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function readTree(dir: string): Promise<[string, string][]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: [string, string][] = [];
  for (const entry of entries.filter((e) => e.isFile())) {
    const full = join(entry.parentPath, entry.name);
    files.push([relative(dir, full), await readFile(full, 'utf8')]);
  }
  return files.sort(([a], [b]) => (a < b ? -1 : 1));
}

/** The cdk8s CLI from the project root, so it reads cdk8s.yaml; output redirected to `outDir`. */
function cdk8sSynth(modelFile: string, outDir: string): ReturnType<typeof run> {
  return run('npx', ['cdk8s', 'synth', '--no-check-upgrade', '--output', outDir], {
    cwd: projectRoot,
    env: { ...process.env, TARS_MODEL: modelFile },
    timeout: 240_000,
  });
}

describe('npx cdk8s synth', () => {
  it('writes the same files as synthesize(), byte for byte', { timeout: 300_000 }, async () => {
    const model = smallModel([webRightsizing, frontendHardening, tarsNamespace]);
    const modelFile = join(work, 'model.json');
    await writeFile(modelFile, serializeModel(model));

    await cdk8sSynth(modelFile, join(work, 'cdk8s'));
    await synthesize(model, join(work, 'tars'));

    const viaCdk8s = await readTree(join(work, 'cdk8s'));
    const viaTars = await readTree(join(work, 'tars'));
    expect(viaCdk8s.map(([path]) => path)).toContain('prod-eu/shop/kustomization.yaml');
    expect(viaCdk8s).toEqual(viaTars);
  });

  it('fails with one clear line when the model is invalid', { timeout: 300_000 }, async () => {
    const modelFile = join(work, 'bad-model.json');
    await writeFile(modelFile, serializeModel(smallModel()).replace('"phase": 3', '"phase": 9'));
    const failure = await cdk8sSynth(modelFile, join(work, 'bad')).then(
      () => undefined,
      (e: unknown) => e as { stderr: string },
    );
    expect(failure).toBeDefined();
    expect(failure!.stderr).toContain(`tars: invalid desired-state model (1 problem):`);
    expect(failure!.stderr).toContain(`${modelFile}:`);
    expect(failure!.stderr).toContain('rollout.phase: must be one of 1, 2, 3, 4');
    // The cdk8s CLI adds its own stack trace for the failed app; ours has none.
    const ours = failure!.stderr.split('Error: command')[0];
    expect(ours).not.toMatch(/\n\s+at /);
  });
});
