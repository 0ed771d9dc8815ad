/**
 * Delivery of one concern's rendered tree to Git, the way users expect from Renovate:
 *
 * - branch `tars/<cluster>/<concern>`, one commit on top of the base branch, pushed;
 * - nothing new (the branch, or the base when there is no branch, already holds exactly these
 *   files under `<path>/<cluster>/`) → nothing pushed, no new pull request;
 * - new data → the same branch replaced by a new single commit on the current base (force-push
 *   with a lease on the commit TARS saw, so nobody else's push is overwritten);
 * - a branch carrying a commit TARS did not make → left alone and reported;
 * - a push race (the remote moved between fetch and push) → retried once from a fresh fetch;
 * - the base branch is never pushed to.
 *
 * Every message that leaves this module passes through the Redactor: git errors quote URLs and
 * command lines.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import type { SimpleGit } from 'simple-git';
import { ConflictError, ForwardedError, InputError, SourceUnreachableError } from '../errors.js';
import { type GitAuthor, openGit, remoteUrlForGit } from './git-session.js';
import { withRedaction } from './platforms/redacting.js';
import type { PlatformAdapter, PullRequestRef } from './platforms/types.js';
import { type Redactor, redactorFromEnv, userinfoSecret } from './redact.js';
import { clusterFolderName } from '../util/cluster-folder.js';

export type { GitAuthor } from './git-session.js';

export const DEFAULT_AUTHOR: GitAuthor = { name: 'tars', email: 'tars@users.noreply.tars.dev' };

export interface ProposeTreeOptions {
  /** HTTPS, SSH (`git@host:org/repo.git`, `ssh://…`), file:// or a local path. */
  readonly repoUrl: string;
  /** @default 'main' */
  readonly base?: string;
  /** Folder of generated trees inside the repository. @default 'generated' */
  readonly path?: string;
  /** Opens or updates the pull request after a push; omitted → branch only. */
  readonly platform?: PlatformAdapter;
  /** The cluster; its folder name (as `tars plan` writes it) names the tree and the branch. */
  readonly clusterName: string;
  readonly concern: string;
  /**
   * What to propose: the complete tree under `<path>/<cluster>/` (relative path → content) with
   * the pull-request text, or a function that decides it from the base branch as fetched
   * (e.g. the next wave of changes not yet in base). It may return undefined: nothing to propose;
   * or a hold: something to propose that must wait (status `held`, the branch left as it is).
   */
  readonly content: ProposalContent | ProposalRenderer;
  /** Commit author and committer; also how TARS recognises its own commits. */
  readonly author?: GitAuthor;
  readonly labels?: readonly string[];
  /** HTTPS token; default TARS_GIT_TOKEN, then GITHUB_TOKEN or GITLAB_TOKEN (see tokenFromEnv). */
  readonly token?: string;
  /** Username paired with the token in Basic auth. @default 'x-access-token' */
  readonly tokenUser?: string;
  /** Scratch folder for the clone (removed afterwards when TARS created it). */
  readonly workDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Progress lines, already redacted. */
  readonly log?: (line: string) => void;
  /** Called after the fetch and before the push; tests use it to race TARS. */
  readonly beforePush?: (attempt: number) => Promise<void>;
}

export interface ProposalContent {
  readonly files: ReadonlyMap<string, string>;
  readonly title: string;
  readonly body: string;
  /** Labels beside `ProposeTreeOptions.labels`, e.g. auto-merge for a low-risk wave. */
  readonly labels?: readonly string[];
  /** Labels the pull request must not carry, e.g. auto-merge for a wave that no longer qualifies. */
  readonly removeLabels?: readonly string[];
}

/** Reads a file of the base branch, relative to `<path>/<cluster>/`; undefined when absent. */
export type BaseTreeReader = (relPath: string) => Promise<string | undefined>;

/** A renderer's answer when there is something to propose but it must wait (a held wave). */
export interface ProposalHold {
  readonly hold: readonly string[];
  /** Labels taken off the open pull request meanwhile (auto-merge: a held wave must wait). */
  readonly removeLabels?: readonly string[];
}

export type ProposalRenderer = (
  readBase: BaseTreeReader,
) => Promise<ProposalContent | ProposalHold | undefined>;

export type DeliveryStatus =
  'created' | 'updated' | 'unchanged' | 'held' | 'skipped-foreign-commits';

export interface ForeignCommit {
  readonly sha: string;
  readonly author: string;
  readonly committer: string;
}

export interface DeliveryOutcome {
  readonly status: DeliveryStatus;
  readonly branch: string;
  /** The commit the branch points at after this run (absent when no branch exists). */
  readonly commit?: string;
  readonly pullRequest?: PullRequestRef;
  /** Commits on the branch that TARS did not make (status skipped-foreign-commits). */
  readonly foreignCommits?: readonly ForeignCommit[];
  /** One sentence for the reader. */
  readonly message: string;
}

/** `tars/<cluster>/<concern>`, checked to be a valid, safe ref name. */
export function branchName(clusterName: string, concern: string): string {
  const branch = `tars/${clusterName}/${concern}`;
  // The cluster part may start with `-` or `_`, as a cluster folder name can (`.x` → `-x`).
  if (!/^tars\/[A-Za-z0-9_-][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/.test(branch)) {
    throw new InputError(
      `cannot make a branch name from cluster "${clusterName}" and concern "${concern}"`,
    );
  }
  if (
    branch.includes('..') ||
    branch.split('/').some((part) => part.endsWith('.lock')) ||
    branch.endsWith('.')
  ) {
    throw new InputError(`"${branch}" is not a valid git branch name`);
  }
  return branch;
}

/**
 * The guard behind "the base branch is never pushed to": TARS pushes only to its own
 * `tars/` branches, never to the base, whatever the caller asked.
 */
export function assertPushTarget(branch: string, base: string): void {
  if (branch === base || branch === `refs/heads/${base}`) {
    throw new InputError(`refusing to push to the base branch "${base}"`);
  }
  if (!branch.startsWith('tars/')) {
    throw new InputError(`refusing to push to "${branch}": TARS pushes only to tars/ branches`);
  }
}

/** The token for HTTPS remotes: TARS_GIT_TOKEN, else the platform's own variable. */
export function tokenFromEnv(env: NodeJS.ProcessEnv, platform?: string): string | undefined {
  const nonEmpty = (v: string | undefined): string | undefined =>
    v === undefined || v === '' ? undefined : v;
  const own = nonEmpty(env.TARS_GIT_TOKEN);
  if (own !== undefined) return own;
  if (platform === 'github') return nonEmpty(env.GITHUB_TOKEN);
  if (platform === 'gitlab') return nonEmpty(env.GITLAB_TOKEN);
  return nonEmpty(env.GITHUB_TOKEN) ?? nonEmpty(env.GITLAB_TOKEN);
}

function validateContent(content: ProposalContent): void {
  for (const rel of content.files.keys()) {
    const normal = posix.normalize(rel);
    if (
      rel === '' ||
      posix.isAbsolute(rel) ||
      normal.startsWith('..') ||
      normal !== rel ||
      rel.includes('\\')
    ) {
      throw new InputError(`rendered file path "${rel}" must be a plain relative path`);
    }
    if (rel.split('/').includes('.git'))
      throw new InputError(`rendered file path "${rel}" enters .git`);
  }
}

function validateOptions(options: ProposeTreeOptions): void {
  if (typeof options.content !== 'function') validateContent(options.content);
  const path = options.path ?? 'generated';
  if (posix.isAbsolute(path) || posix.normalize(path).startsWith('..')) {
    throw new InputError(`--path "${path}" must be relative to the repository root`);
  }
}

interface Attempt {
  readonly git: SimpleGit;
  readonly options: ProposeTreeOptions;
  /** Resolved once the base is fetched (see ProposeTreeOptions.content). */
  content?: ProposalContent;
  readonly base: string;
  readonly branch: string;
  readonly treeDir: string;
  readonly author: GitAuthor;
  readonly redactor: Redactor;
  readonly remoteLabel: string;
  readonly log: (line: string) => void;
}

/** Thrown inside an attempt when the push lost a race; the caller retries once. */
class PushRaceError extends Error {}

/**
 * Proposes `files` as the tree of `<path>/<cluster>/` on branch `tars/<cluster>/<concern>`,
 * then ensures the pull request through `platform`. See the module comment for the rules.
 */
export async function proposeTree(options: ProposeTreeOptions): Promise<DeliveryOutcome> {
  validateOptions(options);
  const env = options.env ?? process.env;
  const token = options.token ?? tokenFromEnv(env, options.platform?.name);
  const redactor = redactorFromEnv(env, [token, userinfoSecret(options.repoUrl)]);
  const log = (line: string): void => options.log?.(redactor.redact(line));
  const base = options.base ?? 'main';
  // The folder the layout writes (`arn:aws:eks:…:cluster/prod` → `arn-aws-eks-…-cluster-prod`):
  // the tree this branch replaces, and a name git accepts.
  const folder = clusterFolderName(options.clusterName);
  const branch = branchName(folder, options.concern);
  assertPushTarget(branch, base);
  const ownWorkDir = options.workDir === undefined;
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), 'tars-propose-')));
  const remoteLabel = `git remote ${redactor.redact(options.repoUrl)}`;
  try {
    for (let attempt = 1; ; attempt++) {
      const dir = join(workDir, `attempt-${attempt}`);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      const git = openGit({
        dir,
        remoteUrl: remoteUrlForGit(options.repoUrl),
        token: token ?? userinfoSecret(options.repoUrl),
        tokenUser: options.tokenUser ?? tokenUserFor(options.platform?.name),
        author: options.author ?? DEFAULT_AUTHOR,
        redactor,
        env,
      });
      const context: Attempt = {
        git,
        options,
        base,
        branch,
        treeDir: posix.join(options.path ?? 'generated', folder),
        author: options.author ?? DEFAULT_AUTHOR,
        redactor,
        remoteLabel,
        log,
      };
      try {
        return await runAttempt(context, attempt);
      } catch (e) {
        if (e instanceof PushRaceError && attempt === 1) {
          log(`push to ${branch} lost a race (the remote moved); retrying from a fresh fetch`);
          continue;
        }
        if (e instanceof PushRaceError) {
          throw new ConflictError(
            `${branch}: the remote branch kept moving; gave up after a retry (${e.message})`,
            { cause: redactor.sanitize(e) },
          );
        }
        throw e;
      }
    }
  } finally {
    if (ownWorkDir) await rm(workDir, { recursive: true, force: true });
  }
}

function tokenUserFor(platform: string | undefined): string {
  return platform === 'gitlab' ? 'oauth2' : 'x-access-token';
}

async function runAttempt(ctx: Attempt, attempt: number): Promise<DeliveryOutcome> {
  const { git, base, branch } = ctx;
  await gitStep(ctx, 'init', () => git.init());
  await gitStep(ctx, 'add the remote', () =>
    git.addRemote('origin', remoteUrlForGit(ctx.options.repoUrl)),
  );
  const heads = await remoteHeads(ctx);
  const baseSha = heads.get(base);
  if (baseSha === undefined)
    throw new InputError(`base branch "${base}" does not exist in ${ctx.remoteLabel}`);
  const branchSha = heads.get(branch);
  await fetchRef(ctx, base, ['--depth=1']);

  if (branchSha !== undefined) {
    const foreign = await foreignCommits(ctx, branchSha, baseSha);
    if (foreign.length > 0) {
      ctx.log(`${branch} has ${foreign.length} commit(s) TARS did not make; leaving it alone`);
      return {
        status: 'skipped-foreign-commits',
        branch,
        commit: branchSha,
        foreignCommits: foreign,
        pullRequest:
          ctx.options.platform === undefined
            ? undefined
            : await withRedaction(ctx.options.platform, ctx.redactor).findPullRequest(branch, base),
        message: `${branch} has commits by someone else (${foreign.map((c) => `${c.sha.slice(0, 12)} by ${c.author}`).join(', ')}); TARS left it alone`,
      };
    }
  }

  if (typeof ctx.options.content === 'function') {
    const rendered = await ctx.options.content((rel) => readBaseFile(ctx, rel));
    if (rendered === undefined) {
      ctx.log(`nothing to propose for ${branch}`);
      return {
        status: 'unchanged',
        branch,
        ...(branchSha !== undefined ? { commit: branchSha } : {}),
        message: `nothing to propose for ${branch}`,
      };
    }
    if ('hold' in rendered) {
      ctx.log(`${branch} held: ${rendered.hold.join('; ')}`);
      const pullRequest = await unlabelHeld(ctx, rendered.removeLabels ?? []);
      return {
        status: 'held',
        branch,
        ...(branchSha !== undefined ? { commit: branchSha } : {}),
        ...(pullRequest !== undefined ? { pullRequest } : {}),
        message: `next wave held until the merged ones are healthy: ${rendered.hold.join('; ')}`,
      };
    }
    validateContent(rendered);
    ctx.content = rendered;
  } else {
    ctx.content = ctx.options.content;
  }
  await stageTree(ctx);
  const differsFromBase = await stagedDiffers(ctx, 'HEAD');
  if (branchSha !== undefined && !(await stagedDiffers(ctx, `refs/remotes/origin/${branch}`))) {
    ctx.log(`${branch} already holds this tree; nothing to push`);
    return {
      status: 'unchanged',
      branch,
      commit: branchSha,
      pullRequest: await ensurePullRequest(ctx),
      message: `${branch} is up to date; nothing pushed`,
    };
  }
  if (!differsFromBase) {
    ctx.log(`${base} already holds this tree; nothing to propose`);
    return {
      status: 'unchanged',
      branch,
      ...(branchSha !== undefined ? { commit: branchSha } : {}),
      message: `${base} already holds the proposed tree; nothing pushed`,
    };
  }

  const commit = await commitTree(ctx);
  await ctx.options.beforePush?.(attempt);
  await push(ctx, commit, branchSha);
  const status: DeliveryStatus = branchSha === undefined ? 'created' : 'updated';
  ctx.log(`${status} ${branch} at ${commit.slice(0, 12)}`);
  return {
    status,
    branch,
    commit,
    pullRequest: await ensurePullRequest(ctx),
    message: `${status === 'created' ? 'pushed new branch' : 'updated branch'} ${branch} (${commit.slice(0, 12)})`,
  };
}

function content(ctx: Attempt): ProposalContent {
  if (ctx.content === undefined) throw new Error('proposal content read before it was resolved');
  return ctx.content;
}

/** A file of `<path>/<cluster>/` on the fetched base, or undefined when the base lacks it. */
async function readBaseFile(ctx: Attempt, rel: string): Promise<string | undefined> {
  const spec = `refs/remotes/origin/${ctx.base}:${posix.join(ctx.treeDir, rel)}`;
  try {
    await ctx.git.raw(['cat-file', '-e', spec]);
  } catch {
    return undefined; // `cat-file -e` fails exactly when the path is not in the base tree
  }
  return gitStep(ctx, `show ${rel} of ${ctx.base}`, () => ctx.git.raw(['show', spec]));
}

/** Runs one git step; failures become project errors with redacted messages. */
async function gitStep<T>(ctx: Attempt, what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw new ForwardedError(`git ${what} failed`, ctx.redactor.sanitize(e));
  }
}

/** Steps that talk to the remote: failures mean the remote is unreachable or refused us. */
async function remoteStep<T>(ctx: Attempt, what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw new SourceUnreachableError(
      ctx.remoteLabel,
      `${what}: ${ctx.redactor.message(e).trim()}`,
      {
        cause: ctx.redactor.sanitize(e),
      },
    );
  }
}

async function remoteHeads(ctx: Attempt): Promise<Map<string, string>> {
  const out = await remoteStep(ctx, 'listing branches', () =>
    ctx.git.raw([
      'ls-remote',
      '--heads',
      'origin',
      `refs/heads/${ctx.base}`,
      `refs/heads/${ctx.branch}`,
    ]),
  );
  const heads = new Map<string, string>();
  for (const line of out.split('\n')) {
    const [sha, ref] = line.trim().split(/\s+/);
    if (sha !== undefined && ref?.startsWith('refs/heads/') === true)
      heads.set(ref.slice('refs/heads/'.length), sha);
  }
  return heads;
}

async function fetchRef(ctx: Attempt, name: string, depthArgs: readonly string[]): Promise<void> {
  await remoteStep(ctx, `fetching ${name}`, () =>
    ctx.git.raw([
      'fetch',
      '--no-tags',
      ...depthArgs,
      'origin',
      `+refs/heads/${name}:refs/remotes/origin/${name}`,
    ]),
  );
}

/**
 * Commits on the branch but not on the base that TARS did not make. Fetches only those commits
 * (`--shallow-exclude`), so the clone stays shallow however long the base history is; where the
 * server cannot do that, or the branch has no commit of its own, the tip alone is checked.
 */
async function foreignCommits(
  ctx: Attempt,
  branchSha: string,
  baseSha: string,
): Promise<ForeignCommit[]> {
  if (branchSha === baseSha) {
    // The branch has no commit of its own (e.g. fast-forward merged): nothing to check.
    await gitStep(ctx, 'update-ref', () =>
      ctx.git.raw(['update-ref', `refs/remotes/origin/${ctx.branch}`, baseSha]),
    );
    return [];
  }
  try {
    await ctx.git.raw([
      'fetch',
      '--no-tags',
      `--shallow-exclude=refs/heads/${ctx.base}`,
      'origin',
      `+refs/heads/${ctx.branch}:refs/remotes/origin/${ctx.branch}`,
    ]);
  } catch (e) {
    ctx.log(
      `fetching ${ctx.branch} without the base's history failed (${ctx.redactor.message(e).trim()}); checking its tip only`,
    );
    await fetchRef(ctx, ctx.branch, ['--depth=1']);
  }
  const log = await gitStep(ctx, 'log', () =>
    ctx.git.raw([
      'log',
      '--format=%H%x1f%an%x1f%ae%x1f%cn%x1f%ce%x1e',
      `refs/remotes/origin/${ctx.branch}`,
      '--not',
      `refs/remotes/origin/${ctx.base}`,
    ]),
  );
  const foreign: ForeignCommit[] = [];
  for (const record of log.split('\x1e')) {
    const [sha, authorName, authorEmail, committerName, committerEmail] = record
      .trim()
      .split('\x1f');
    if (
      sha === undefined ||
      sha === '' ||
      authorEmail === undefined ||
      committerEmail === undefined
    )
      continue;
    const own =
      sameEmail(authorEmail, ctx.author.email) &&
      sameEmail(committerEmail, ctx.author.email) &&
      authorName === ctx.author.name;
    if (!own) {
      foreign.push({
        sha,
        author: `${authorName ?? ''} <${authorEmail}>`,
        committer: `${committerName ?? ''} <${committerEmail}>`,
      });
    }
  }
  return foreign;
}

function sameEmail(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** Checks out the base and replaces `<path>/<cluster>/` with the rendered files, staged. */
async function stageTree(ctx: Attempt): Promise<void> {
  const { git } = ctx;
  await gitStep(ctx, 'checkout', () =>
    git.raw([
      'checkout',
      '--quiet',
      '--force',
      '-B',
      'tars-work',
      `refs/remotes/origin/${ctx.base}`,
    ]),
  );
  const root = await gitStep(ctx, 'rev-parse', () => git.revparse(['--show-toplevel']));
  const treeDir = join(root.trim(), ...ctx.treeDir.split('/'));
  await rm(treeDir, { recursive: true, force: true });
  const files = [...content(ctx).files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [rel, content] of files) {
    const target = join(treeDir, ...rel.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  await mkdir(treeDir, { recursive: true });
  if ((await readdir(treeDir)).length === 0) await rm(treeDir, { recursive: true, force: true });
  await gitStep(ctx, 'add', () => git.raw(['add', '--all', '--', ctx.treeDir]));
}

/** Whether the staged `<path>/<cluster>/` differs from the same folder at `rev`. */
async function stagedDiffers(ctx: Attempt, rev: string): Promise<boolean> {
  const names = await gitStep(ctx, 'diff', () =>
    ctx.git.raw(['diff', '--cached', '--name-only', rev, '--', ctx.treeDir]),
  );
  return names.trim() !== '';
}

async function commitTree(ctx: Attempt): Promise<string> {
  const status = await gitStep(ctx, 'diff', () =>
    ctx.git.raw(['diff', '--cached', '--name-status', 'HEAD', '--', ctx.treeDir]),
  );
  const counts = { A: 0, M: 0, D: 0 };
  for (const line of status.split('\n')) {
    const kind = line.charAt(0);
    if (kind === 'A' || kind === 'M' || kind === 'D') counts[kind]++;
  }
  const message = [
    content(ctx).title,
    '',
    `${counts.A} added, ${counts.M} changed, ${counts.D} removed under ${ctx.treeDir}/.`,
    '',
    `Tars-Cluster: ${ctx.options.clusterName}`,
    `Tars-Concern: ${ctx.options.concern}`,
  ].join('\n');
  await gitStep(ctx, 'commit', () =>
    ctx.git.raw(['commit', '--quiet', '--no-verify', '-m', message]),
  );
  return (await gitStep(ctx, 'rev-parse', () => ctx.git.revparse(['HEAD']))).trim();
}

/**
 * Pushes `commit` to the branch with a lease on what TARS saw there (`expected`, or "must not
 * exist yet"): if anyone moved the branch meanwhile, git refuses and we report a race.
 */
async function push(ctx: Attempt, commit: string, expected: string | undefined): Promise<void> {
  assertPushTarget(ctx.branch, ctx.base);
  const ref = `refs/heads/${ctx.branch}`;
  try {
    await ctx.git.raw([
      'push',
      '--porcelain',
      '--no-verify',
      `--force-with-lease=${ref}:${expected ?? ''}`,
      'origin',
      `${commit}:${ref}`,
    ]);
  } catch (e) {
    const message = ctx.redactor.message(e);
    if (
      /stale info|\[rejected\]|fetch first|non-fast-forward|cannot lock ref|reference already exists/i.test(
        message,
      )
    ) {
      throw new PushRaceError(message.trim());
    }
    throw new SourceUnreachableError(ctx.remoteLabel, `push to ${ctx.branch}: ${message.trim()}`, {
      cause: ctx.redactor.sanitize(e),
    });
  }
}

async function ensurePullRequest(ctx: Attempt): Promise<PullRequestRef | undefined> {
  if (ctx.options.platform === undefined) return undefined;
  const { removeLabels } = content(ctx);
  return withRedaction(ctx.options.platform, ctx.redactor).ensurePullRequest({
    head: ctx.branch,
    base: ctx.base,
    title: content(ctx).title,
    body: content(ctx).body,
    labels: [...(ctx.options.labels ?? []), ...(content(ctx).labels ?? [])],
    ...(removeLabels !== undefined ? { removeLabels } : {}),
  });
}

/** A held wave's open pull request, without `labels` (auto-merge must not merge it meanwhile). */
async function unlabelHeld(
  ctx: Attempt,
  labels: readonly string[],
): Promise<PullRequestRef | undefined> {
  if (ctx.options.platform === undefined || labels.length === 0) return undefined;
  const platform = withRedaction(ctx.options.platform, ctx.redactor);
  const pullRequest = await platform.findPullRequest(ctx.branch, ctx.base);
  if (pullRequest?.number == null) return pullRequest;
  const removed = await platform.removeLabels(pullRequest.number, labels);
  if (removed.length > 0)
    ctx.log(`removed ${removed.join(', ')} from #${pullRequest.number} while the wave is held`);
  return pullRequest;
}
