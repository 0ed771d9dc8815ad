/**
 * The command-line contract of DESIGN.md. Commands parse options, call into src/plan,
 * src/charts and src/gitops, and print; errors go to the one handler in handler.ts.
 */
import { Command } from 'commander';
import type { CommandContext } from './context.js';
import { registerForecastCommand } from './commands/forecast.js';
import { registerPlanCommands } from './commands/plan.js';
import { registerProposeCommand } from './commands/propose.js';
import { registerRunCommand } from './commands/run.js';
import { registerServeCommand } from './commands/serve.js';
import { registerSnapshotCommand } from './commands/snapshot.js';
import { registerValidateCommand } from './commands/validate.js';

export function buildProgram(context: CommandContext): Command {
  const program = new Command('tars')
    .description(
      'GitOps policy engine: plans optimized manifests for a Kubernetes cluster and proposes them as pull requests.',
    )
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: context.io.stdout, writeErr: context.io.stderr });
  registerPlanCommands(program, context);
  registerProposeCommand(program, context);
  registerServeCommand(program, context);
  registerRunCommand(program, context);
  registerSnapshotCommand(program, context);
  registerValidateCommand(program, context);
  registerForecastCommand(program, context);
  for (const cmd of program.commands)
    cmd
      .exitOverride()
      .configureOutput({ writeOut: context.io.stdout, writeErr: context.io.stderr });
  return program;
}
