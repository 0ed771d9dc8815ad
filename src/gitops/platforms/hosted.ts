/**
 * What the hosted platforms (GitHub, GitLab) share: the idempotent `ensurePullRequest` built on
 * find → create or update (only when title or body changed) → add missing labels. Each platform
 * supplies the API calls.
 */
import { InputError } from '../../errors.js';
import type {
  CommentRef,
  PlatformOptions,
  PlatformAdapter,
  PlatformName,
  PullRequestRef,
  PullRequestSpec,
} from './types.js';

/** The API token a hosted platform cannot work without, or a clear InputError naming where to set it. */
export function requireToken(
  options: PlatformOptions,
  platform: PlatformName,
  envVar: string,
): string {
  if (options.token === undefined || options.token === '') {
    throw new InputError(`the ${platform} platform needs a token: set TARS_GIT_TOKEN or ${envVar}`);
  }
  return options.token;
}

export abstract class HostedPlatform implements PlatformAdapter {
  abstract readonly name: PlatformName;
  abstract findPullRequest(head: string, base: string): Promise<PullRequestRef | undefined>;
  abstract ensureComment(prNumber: number, body: string, marker: string): Promise<CommentRef>;
  abstract ensureLabels(prNumber: number, labels: readonly string[]): Promise<readonly string[]>;
  abstract removeLabels(prNumber: number, labels: readonly string[]): Promise<readonly string[]>;
  protected abstract createPullRequest(spec: PullRequestSpec): Promise<PullRequestRef>;
  protected abstract updatePullRequest(
    number: number,
    spec: PullRequestSpec,
  ): Promise<PullRequestRef>;

  async ensurePullRequest(spec: PullRequestSpec): Promise<PullRequestRef> {
    const pr = await this.ensurePullRequestText(spec);
    if (pr.number !== null) {
      await this.ensureLabels(pr.number, spec.labels);
      const unwanted = (spec.removeLabels ?? []).filter((l) => !spec.labels.includes(l));
      if (unwanted.length > 0) await this.removeLabels(pr.number, unwanted);
    }
    return pr;
  }

  private async ensurePullRequestText(spec: PullRequestSpec): Promise<PullRequestRef> {
    const existing = await this.findPullRequest(spec.head, spec.base);
    if (existing?.number == null) return this.createPullRequest(spec);
    if (existing.title === spec.title && existing.body === spec.body) return existing;
    return this.updatePullRequest(existing.number, spec);
  }
}
