/**
 * The cdk8s app entry (`app:` in cdk8s.yaml): reads the model file named by TARS_MODEL (default
 * model.json) and writes its tree into CDK8S_OUTDIR, which `cdk8s synth` sets from `output:`.
 * The files are exactly those `synthesize(model, outDir)` writes, so `npx cdk8s synth` and
 * `tars synth` agree byte for byte.
 */
import { errorMessage, exitCodeFor, isExpectedError } from '../errors.js';
import { readModel } from '../model/serialize.js';
import { DEFAULT_MODEL_FILE, DEFAULT_OUT_DIR, synthesize } from './synthesize.js';

async function main(): Promise<void> {
  const modelFile = process.env['TARS_MODEL'] || DEFAULT_MODEL_FILE;
  const outDir = process.env['CDK8S_OUTDIR'] || DEFAULT_OUT_DIR;
  const model = await readModel(modelFile);
  const { clusterDir, files } = await synthesize(model, outDir);
  process.stderr.write(`tars: wrote ${files.length} files to ${clusterDir} from ${modelFile}\n`);
}

try {
  await main();
} catch (e) {
  process.stderr.write(
    isExpectedError(e) ? `tars: ${errorMessage(e)}\n` : `${String((e as Error).stack ?? e)}\n`,
  );
  process.exitCode = exitCodeFor(e);
}
