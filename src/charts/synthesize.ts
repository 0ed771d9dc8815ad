/** `tars synth` and `cdk8s synth` both end here: the model's tree, written atomically. */
import { join } from 'node:path';
import type { DesiredState } from '../model/types.js';
import { writeTreeAtomically } from '../util/atomic-write.js';
import { clusterFolderName, renderTree } from './layout.js';

/**
 * Where `cdk8s synth` (src/charts/main.ts) reads the model unless TARS_MODEL says otherwise. Not
 * inside generated/: `cdk8s synth` empties its output directory before it runs the app.
 */
export const DEFAULT_MODEL_FILE = 'model.json';
export const DEFAULT_OUT_DIR = 'generated';

export interface SynthResult {
  /** `<outDir>/<cluster>`, replaced as a whole. */
  readonly clusterDir: string;
  /** Files written, relative to clusterDir, sorted. */
  readonly files: readonly string[];
}

/**
 * Writes the model's tree to `<outDir>/<cluster>/`, replacing what was there in one swap; other
 * clusters' folders under outDir are left alone.
 */
export async function synthesize(model: DesiredState, outDir: string): Promise<SynthResult> {
  const cluster = clusterFolderName(model.cluster.name);
  const files = new Map<string, string>();
  for (const [path, content] of renderTree(model))
    files.set(path.slice(cluster.length + 1), content);
  const clusterDir = join(outDir, cluster);
  await writeTreeAtomically(clusterDir, files);
  return { clusterDir, files: [...files.keys()] };
}
