/**
 * `tars propose` without the command line: for each concern of the rendered tree, the branch
 * `tars/<cluster>/<concern>` with one commit and its pull request, whose text is built from the
 * model. Concerns are proposed one after the other (one clone each); the result lists what
 * happened to every one.
 */
import { InputError } from '../errors.js';
import type { Concern, DesiredState } from '../model/types.js';
import {
  type DeliveryOutcome,
  type GitAuthor,
  type ProposalContent,
  type ProposalRenderer,
  proposeTree,
  tokenFromEnv,
} from './delivery.js';
import { buildPullRequestText, readPlanHash } from './pr-body.js';
import { withRedaction } from './platforms/redacting.js';
import { createPlatform } from './platforms/registry.js';
import type { PlatformAdapter, PlatformName } from './platforms/types.js';
import { redactorFromEnv } from './redact.js';

/**
 * Per concern, the files of `<path>/<cluster>/` as they should be (relative path → content;
 * the pull-request text is built from the model), or a renderer that decides files and text
 * from the base branch as fetched (see ProposalRenderer).
 */
export type RenderedTree = ReadonlyMap<Concern, ReadonlyMap<string, string> | ProposalRenderer>;

export interface ProposeOptions {
  /** `--repo`: HTTPS, SSH, file:// or a local path. */
  readonly repoUrl: string;
  /** `--base`. @default 'main' */
  readonly base?: string;
  /** `--path`. @default 'generated' */
  readonly path?: string;
  /** `--platform`. @default 'none' */
  readonly platform?: PlatformName;
  /** API base URL (GitHub Enterprise, self-hosted GitLab); default derived from repoUrl. */
  readonly apiUrl?: string;
  /** Use this adapter instead of creating one from `platform`. */
  readonly platformAdapter?: PlatformAdapter;
  /** Commit author, and how TARS recognises its own commits. */
  readonly author?: GitAuthor;
  /** Labels for every pull request (e.g. the auto-merge label in phase 4). */
  readonly labels?: readonly string[];
  /** Only these concerns of the tree, in this order. @default every concern of the tree */
  readonly concerns?: readonly Concern[];
  /** Default: TARS_GIT_TOKEN, then GITHUB_TOKEN / GITLAB_TOKEN for the platform. */
  readonly token?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly workDir?: string;
  /** Monthly savings per change id, shown in the pull request. */
  readonly monthlySavings?: ReadonlyMap<string, number>;
  readonly currency?: string;
  /** Progress lines (already redacted). */
  readonly log?: (line: string) => void;
}

export interface ProposeResult extends DeliveryOutcome {
  readonly concern: Concern;
  /** The pull-request text (for `--platform none`, print these). */
  readonly title: string;
  readonly body: string;
  readonly planHash: string;
}

const FOREIGN_MARKER = '<!-- tars:foreign-commits -->';

function contentFor(
  model: DesiredState,
  concern: Concern,
  rendered: ReadonlyMap<string, string> | ProposalRenderer | undefined,
  options: ProposeOptions,
): ProposalContent | ProposalRenderer {
  if (typeof rendered === 'function') return rendered;
  if (rendered === undefined || rendered.size === 0) {
    // An empty tree would empty the cluster folder: never propose that by accident.
    throw new InputError(
      `no rendered files for concern "${concern}"; refusing to propose an empty tree`,
    );
  }
  const text = buildPullRequestText({
    model,
    concern,
    ...(options.monthlySavings !== undefined ? { monthlySavings: options.monthlySavings } : {}),
    ...(options.currency !== undefined ? { currency: options.currency } : {}),
  });
  return { files: rendered, title: text.title, body: text.body };
}

export async function propose(
  model: DesiredState,
  renderedTree: RenderedTree,
  options: ProposeOptions,
): Promise<ProposeResult[]> {
  const env = options.env ?? process.env;
  const platformName = options.platformAdapter?.name ?? options.platform ?? 'none';
  const token = options.token ?? tokenFromEnv(env, platformName);
  const redactor = redactorFromEnv(env, [token]);
  const log = (line: string): void => options.log?.(redactor.redact(line));
  const platform = withRedaction(
    options.platformAdapter ??
      createPlatform(platformName, {
        repoUrl: options.repoUrl,
        ...(token !== undefined ? { token } : {}),
        ...(options.apiUrl !== undefined ? { apiUrl: options.apiUrl } : {}),
      }),
    redactor,
  );
  const concerns = options.concerns ?? [...renderedTree.keys()];
  const results: ProposeResult[] = [];
  for (const concern of concerns) {
    const content = contentFor(model, concern, renderedTree.get(concern), options);
    // Capture what a renderer decided, for the result (title and body go to stdout for `none`).
    let proposed: ProposalContent | undefined = typeof content === 'function' ? undefined : content;
    const capturing: ProposalContent | ProposalRenderer =
      typeof content === 'function'
        ? async (readBase) => {
            const rendered = await content(readBase);
            if (rendered !== undefined && !('hold' in rendered)) proposed = rendered;
            return rendered;
          }
        : content;
    const outcome = await proposeTree({
      repoUrl: options.repoUrl,
      ...(options.base !== undefined ? { base: options.base } : {}),
      ...(options.path !== undefined ? { path: options.path } : {}),
      platform,
      clusterName: model.cluster.name,
      concern,
      content: capturing,
      ...(options.author !== undefined ? { author: options.author } : {}),
      ...(options.labels !== undefined ? { labels: options.labels } : {}),
      ...(token !== undefined ? { token } : {}),
      ...(options.workDir !== undefined ? { workDir: options.workDir } : {}),
      env,
      log,
    });
    log(`${concern}: ${outcome.message}`);
    if (outcome.status === 'skipped-foreign-commits' && outcome.pullRequest?.number != null) {
      await platform.ensureComment(
        outcome.pullRequest.number,
        'TARS has new proposals for this branch but left it alone: it carries commits TARS did not ' +
          'make. Merge or close this pull request (and delete the branch) to let TARS propose again.',
        FOREIGN_MARKER,
      );
    }
    results.push({
      ...outcome,
      concern,
      title: proposed?.title ?? '',
      body: proposed?.body ?? '',
      planHash: (proposed && readPlanHash(proposed.body)) ?? '',
    });
  }
  return results;
}
