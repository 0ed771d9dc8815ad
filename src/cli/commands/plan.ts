/** `tars plan`, `tars analyze` and `tars synth`. */
import type { Command } from 'commander';
import { synthesize, DEFAULT_MODEL_FILE, DEFAULT_OUT_DIR } from '../../charts/synthesize.js';
import { readModel, writeModel } from '../../model/serialize.js';
import { buildPlan } from '../../plan/plan.js';
import { progressFor } from '../io.js';
import { formatData } from '../output.js';
import { summarize, summaryTable } from '../summary.js';
import type { CommandContext } from '../context.js';
import { addInputOptions, outputOption, planInputs, type InputOptions } from '../options.js';

interface PlanOptions extends InputOptions {
  readonly out: string;
  readonly model?: string;
  readonly output: 'table' | 'json' | 'yaml';
}

export function registerPlanCommands(program: Command, context: CommandContext): void {
  const { io } = context;
  addInputOptions(
    program
      .command('plan')
      .description(
        'Read the cluster (or a snapshot) and its usage history, analyze, and write manifests under --out.',
      ),
  )
    .option(
      '--out <dir>',
      'where the generated tree goes (<dir>/<cluster>/ is replaced as a whole)',
      DEFAULT_OUT_DIR,
    )
    .option(
      '--model <file>',
      `also write the desired-state model (what \`cdk8s synth\` reads, e.g. ${DEFAULT_MODEL_FILE})`,
    )
    .addOption(outputOption())
    .action(async (options: PlanOptions) => {
      const progress = progressFor(io, options.quiet);
      const { model, unreachable } = await buildPlan(planInputs(options), progress);
      progress(`writing ${options.out}`);
      const written = await synthesize(model, options.out);
      if (options.model !== undefined) await writeModel(options.model, model);
      const summary = summarize(model, { dir: written.clusterDir, files: written.files.length });
      io.stdout(
        options.output === 'table' ? summaryTable(summary) : formatData(summary, options.output),
      );
      if (unreachable[0] !== undefined) context.deferredError = unreachable[0];
    });

  addInputOptions(
    program.command('analyze').description('Analyze only: write the desired-state model as JSON.'),
  )
    .option('--out <file>', 'model file', DEFAULT_MODEL_FILE)
    .action(async (options: InputOptions & { out: string }) => {
      const progress = progressFor(io, options.quiet);
      const { model, unreachable } = await buildPlan(planInputs(options), progress);
      await writeModel(options.out, model);
      progress(`wrote ${options.out}`);
      if (unreachable[0] !== undefined) context.deferredError = unreachable[0];
    });

  program
    .command('synth')
    .description(
      'Synthesize the manifests of a model file (the same files `npx cdk8s synth` writes).',
    )
    .option('--model <file>', 'model file', DEFAULT_MODEL_FILE)
    .option('--out <dir>', 'output directory', DEFAULT_OUT_DIR)
    .option('-q, --quiet', 'no progress output on stderr')
    .action(async (options: { model: string; out: string; quiet?: boolean }) => {
      const model = await readModel(options.model);
      const written = await synthesize(model, options.out);
      progressFor(
        io,
        options.quiet,
      )(`wrote ${written.files.length} files to ${written.clusterDir}`);
    });
}
