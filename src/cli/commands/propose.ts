/** `tars propose`: plan, then deliver the plan as pull requests under the rollout policy. */
import { Option, type Command } from 'commander';
import { DEFAULT_AUTHOR } from '../../gitops/delivery.js';
import type { ProposeResult } from '../../gitops/propose.js';
import { buildPlan, type PlanResult } from '../../plan/plan.js';
import { proposePlan } from '../../plan/propose.js';
import type { Policy } from '../../policy/types.js';
import type { CommandContext } from '../context.js';
import { progressFor } from '../io.js';
import { formatData, table } from '../output.js';
import { addInputOptions, planInputs, type InputOptions } from '../options.js';

export interface ProposeCliOptions extends InputOptions {
  readonly repo: string;
  readonly base: string;
  readonly path: string;
  readonly platform: 'github' | 'gitlab' | 'none';
  readonly apiUrl?: string;
  readonly authorName: string;
  readonly authorEmail: string;
  readonly output: 'table' | 'json' | 'yaml';
}

export function addProposeOptions(cmd: Command): Command {
  return addInputOptions(cmd)
    .requiredOption(
      '--repo <url>',
      'the repository Argo CD or Flux reconciles (HTTPS, SSH, or a path)',
    )
    .option('--base <branch>', 'branch pull requests target (never pushed to)', 'main')
    .option('--path <dir>', 'folder of the generated tree in the repository', 'generated')
    .addOption(
      new Option('--platform <name>', 'where pull requests are opened')
        .choices(['github', 'gitlab', 'none'])
        .default('none'),
    )
    .option('--api-url <url>', 'GitHub Enterprise or self-hosted GitLab API base URL')
    .option(
      '--author-name <name>',
      'commit author (also how TARS recognises its commits)',
      DEFAULT_AUTHOR.name,
    )
    .option('--author-email <email>', 'commit author email', DEFAULT_AUTHOR.email)
    .addOption(
      new Option('-o, --output <format>', 'how to print the results')
        .choices(['table', 'json', 'yaml'])
        .default('table'),
    );
}

/** The repository given on the command line is the one the bootstrap objects point at. */
function withRepository(options: ProposeCliOptions) {
  return (policy: Policy): Policy => ({
    ...policy,
    bootstrap: {
      ...policy.bootstrap,
      repoURL: policy.bootstrap.repoURL === '' ? options.repo : policy.bootstrap.repoURL,
      branch: options.base,
      path: options.path,
      platform: options.platform,
    },
  });
}

/** Plans and proposes; `onPlan` sees the plan before delivery starts (the dashboard of `tars run`). */
export async function runPropose(
  options: ProposeCliOptions,
  context: CommandContext,
  onPlan?: (plan: PlanResult) => void,
): Promise<ProposeResult[]> {
  const progress = progressFor(context.io, options.quiet);
  const plan = await buildPlan(planInputs(options), progress, withRepository(options));
  onPlan?.(plan);
  const { model, policy, unreachable } = plan;
  if (policy.rollout.phase === 2) progress('rollout phase 2 (observe): nothing is proposed');
  const results = await proposePlan(model, policy, {
    repoUrl: options.repo,
    base: options.base,
    path: options.path,
    platform: options.platform,
    ...(options.apiUrl !== undefined ? { apiUrl: options.apiUrl } : {}),
    author: { name: options.authorName, email: options.authorEmail },
    log: progress,
  });
  if (unreachable[0] !== undefined) context.deferredError = unreachable[0];
  return results;
}

export function printResults(
  results: readonly ProposeResult[],
  options: ProposeCliOptions,
  context: CommandContext,
): void {
  const { io } = context;
  if (options.output !== 'table') {
    io.stdout(
      formatData(
        results.map(({ concern, status, branch, commit, pullRequest, message, title }) => ({
          concern,
          status,
          branch,
          commit,
          pullRequest,
          message,
          title,
        })),
        options.output,
      ),
    );
    return;
  }
  io.stdout(
    table(
      ['concern', 'status', 'branch', 'pull request'],
      results.map((r) => [r.concern, r.status, r.branch, r.pullRequest?.url ?? '-']),
    ),
  );
  // Why nothing was pushed is the answer to the run, not progress: --quiet keeps it.
  const unpushed = results.filter(
    (r) => r.status === 'held' || r.status === 'skipped-foreign-commits',
  );
  if (unpushed.length > 0)
    io.stdout(`\n${unpushed.map((r) => `${r.concern}: ${r.message}`).join('\n')}\n`);
  // Without a platform, the pull-request text is for the user to open by hand.
  if (options.platform === 'none') {
    for (const r of results.filter((x) => x.status === 'created' || x.status === 'updated')) {
      io.stdout(`\n# ${r.title}\n\n${r.body}\n`);
    }
  }
}

export function registerProposeCommand(program: Command, context: CommandContext): void {
  addProposeOptions(
    program
      .command('propose')
      .description(
        'Plan, then propose the changes as pull requests (one branch per concern) under the rollout policy.',
      ),
  ).action(async (options: ProposeCliOptions) => {
    printResults(await runPropose(options, context), options, context);
  });
}
