/** Options shared by every command that reads a cluster: the input options of `tars plan`. */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { Option } from 'commander';
import { parseDuration } from '../plan/duration.js';
import type { PlanInputOptions } from '../plan/plan.js';

export const DEFAULT_POLICY_DIR = 'policies';

/**
 * `--policies`, or `./policies` when it exists (as linters find their config), or none: the
 * built-in policy. A directory named explicitly must exist.
 */
function policiesOption(given: string | undefined): { policies?: string } {
  if (given !== undefined) return { policies: given };
  return existsSync(DEFAULT_POLICY_DIR) ? { policies: DEFAULT_POLICY_DIR } : {};
}

export interface InputOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly snapshot?: string;
  readonly prometheus?: string;
  readonly policies?: string;
  readonly history: string;
  readonly quiet?: boolean;
}

export function addInputOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--kubeconfig <file>',
        'kubeconfig of the live cluster (default: $KUBECONFIG, ~/.kube/config, or in-cluster)',
      ).conflicts('snapshot'),
    )
    .addOption(new Option('--context <name>', 'kubeconfig context to use').conflicts('snapshot'))
    .option('--snapshot <dir>', 'read a snapshot directory instead of a live cluster')
    .option('--prometheus <url>', 'Prometheus (or Thanos/Mimir) base URL for usage history')
    .option(
      '--policies <dir>',
      `directory of policy files (default: ./${DEFAULT_POLICY_DIR} when it exists, else the built-in policy)`,
    )
    .option('--history <duration>', 'usage history window to read from Prometheus', '14d')
    .option('-q, --quiet', 'no progress output on stderr');
}

export function planInputs(options: InputOptions): PlanInputOptions {
  return {
    ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.context !== undefined ? { context: options.context } : {}),
    ...(options.snapshot !== undefined ? { snapshot: options.snapshot } : {}),
    ...(options.prometheus !== undefined ? { prometheus: options.prometheus } : {}),
    ...(process.env.TARS_PROMETHEUS_TOKEN
      ? { prometheusToken: process.env.TARS_PROMETHEUS_TOKEN }
      : {}),
    ...policiesOption(options.policies),
    historySeconds: parseDuration(options.history, '--history'),
  };
}

export function outputOption(): Option {
  return new Option('-o, --output <format>', 'how to print data')
    .choices(['table', 'json', 'yaml'])
    .default('table');
}
