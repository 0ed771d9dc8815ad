/** `tars validate`: check policy files (and optionally a snapshot) without planning. */
import type { Command } from 'commander';
import { SnapshotClusterSource } from '../../cluster/snapshot/index.js';
import { validatePolicies } from '../../policy/load.js';
import type { CommandContext } from '../context.js';
import { progressFor } from '../io.js';
import { formatData } from '../output.js';

export function registerValidateCommand(program: Command, context: CommandContext): void {
  program
    .command('validate')
    .description(
      'Validate policy files (every error names file, line and field), and a snapshot if given.',
    )
    .option('--policies <dir>', 'directory of policy files', 'policies')
    .option('--snapshot <dir>', 'also check every document of a snapshot directory')
    .option('-o, --output <format>', 'table, json or yaml', 'table')
    .option('-q, --quiet', 'no progress output on stderr')
    .action(
      async (options: { policies: string; snapshot?: string; output: string; quiet?: boolean }) => {
        const progress = progressFor(context.io, options.quiet);
        const { files } = validatePolicies(options.policies);
        let objects: number | undefined;
        if (options.snapshot !== undefined) {
          const snapshot = await SnapshotClusterSource.fromDirectory(options.snapshot).read(
            progress,
          );
          objects = snapshot.objects.length;
        }
        const result = {
          policies: files,
          ...(objects !== undefined ? { snapshotObjects: objects } : {}),
        };
        if (options.output === 'json' || options.output === 'yaml') {
          context.io.stdout(formatData(result, options.output));
        } else {
          context.io.stdout(
            `policies valid: ${files.length === 0 ? '(built-in defaults only)' : files.join(', ')}\n`,
          );
          if (objects !== undefined) context.io.stdout(`snapshot valid: ${objects} objects\n`);
        }
      },
    );
}
