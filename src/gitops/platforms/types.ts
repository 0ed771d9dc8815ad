/**
 * The one interface every code-review platform implements. Each verb is idempotent: calling it
 * twice with the same arguments leaves the platform as one call did, so a re-run of TARS never
 * duplicates a pull request, a comment or a label.
 */

export type PlatformName = 'github' | 'gitlab' | 'none';

export interface PullRequestSpec {
  /** Source branch, e.g. `tars/prod/rightsizing`. */
  readonly head: string;
  /** Target branch, e.g. `main`. */
  readonly base: string;
  readonly title: string;
  readonly body: string;
  readonly labels: readonly string[];
  /** Labels it must not carry (auto-merge on a wave that no longer qualifies): removed if present. */
  readonly removeLabels?: readonly string[];
}

export interface PullRequestRef {
  readonly platform: PlatformName;
  /** Pull/merge request number (GitHub number, GitLab iid); null for `none`. */
  readonly number: number | null;
  /** Web URL of the pull request; null for `none`. */
  readonly url: string | null;
  /** True when this call opened it. */
  readonly created: boolean;
  /** True when an existing one had its title or body rewritten. */
  readonly updated: boolean;
  /** What the pull request says (for `none`, the caller prints these). */
  readonly title: string;
  readonly body: string;
}

export interface CommentRef {
  readonly id: number | null;
  readonly created: boolean;
  readonly updated: boolean;
}

export interface PlatformAdapter {
  readonly name: PlatformName;
  /** The open pull request from `head` into `base`, if there is one. */
  findPullRequest(head: string, base: string): Promise<PullRequestRef | undefined>;
  /**
   * Opens the pull request, or finds the open one for `head` and updates title/body if changed;
   * then adds the spec's labels it lacks and removes its `removeLabels` it carries.
   */
  ensurePullRequest(spec: PullRequestSpec): Promise<PullRequestRef>;
  /** One comment carrying `marker` (a hidden HTML comment): created once, edited when the body changed. */
  ensureComment(prNumber: number, body: string, marker: string): Promise<CommentRef>;
  /** Adds the labels the pull request lacks; never removes any. Returns the ones added. */
  ensureLabels(prNumber: number, labels: readonly string[]): Promise<readonly string[]>;
  /** Removes those of `labels` the pull request carries. Returns the ones removed. */
  removeLabels(prNumber: number, labels: readonly string[]): Promise<readonly string[]>;
}

export interface PlatformOptions {
  /** The git remote (HTTPS or SSH form); owner/repo or project path and host are read from it. */
  readonly repoUrl: string;
  /** API token; without one, API platforms fail with an InputError when first used. */
  readonly token?: string;
  /**
   * API base URL. GitHub: default `https://api.github.com`, or `https://<host>/api/v3` for a
   * GitHub Enterprise host. GitLab: default `https://<host of repoUrl>`.
   */
  readonly apiUrl?: string;
}

/** What every `platforms/<name>/index.ts` exports as `platform`. */
export interface PlatformDefinition {
  readonly name: PlatformName;
  readonly description: string;
  create(options: PlatformOptions): PlatformAdapter;
}
