/**
 * GitHub and GitHub Enterprise through `@octokit/rest`. The pull request for a head branch is
 * found with `pulls.list({head: 'owner:branch', state: 'open'})`; labels and comments live on the
 * pull request's issue.
 */
import { Octokit } from '@octokit/rest';
import { InputError } from '../../../errors.js';
import { HostedPlatform, requireToken } from '../hosted.js';
import { parseRepoUrl } from '../repo-url.js';
import type {
  CommentRef,
  PlatformDefinition,
  PlatformOptions,
  PullRequestRef,
  PullRequestSpec,
} from '../types.js';

/** `https://api.github.com` for github.com, `https://<host>/api/v3` for GitHub Enterprise Server. */
export function githubApiUrl(host: string): string {
  return host === 'github.com' || host === 'www.github.com'
    ? 'https://api.github.com'
    : `https://${host}/api/v3`;
}

const silentLog = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

class GitHubPlatform extends HostedPlatform {
  readonly name = 'github' as const;
  private readonly octokit: Octokit;
  private readonly owner: string;
  private readonly repo: string;

  constructor(options: PlatformOptions) {
    super();
    const token = requireToken(options, 'github', 'GITHUB_TOKEN');
    const location = parseRepoUrl(options.repoUrl);
    const [owner, repo] = location.segments.slice(-2);
    if (owner === undefined || repo === undefined)
      throw new InputError(`no owner/repository in ${location.host}`);
    this.owner = owner;
    this.repo = repo;
    this.octokit = new Octokit({
      auth: token,
      baseUrl: options.apiUrl ?? githubApiUrl(location.host),
      userAgent: 'tars',
      // Octokit would print deprecation notices to the console; TARS's output is its own.
      log: silentLog,
    });
  }

  async findPullRequest(head: string, base: string): Promise<PullRequestRef | undefined> {
    const { data } = await this.octokit.rest.pulls.list({
      owner: this.owner,
      repo: this.repo,
      state: 'open',
      head: `${this.owner}:${head}`,
      base,
      per_page: 10,
    });
    const pull = data.find((p) => p.head.ref === head && p.base.ref === base);
    if (pull === undefined) return undefined;
    return this.ref(pull.number, pull.html_url, pull.title, pull.body ?? '', false, false);
  }

  protected async createPullRequest(spec: PullRequestSpec): Promise<PullRequestRef> {
    const { data } = await this.octokit.rest.pulls.create({
      owner: this.owner,
      repo: this.repo,
      head: spec.head,
      base: spec.base,
      title: spec.title,
      body: spec.body,
    });
    return this.ref(data.number, data.html_url, data.title, data.body ?? '', true, false);
  }

  protected async updatePullRequest(
    number: number,
    spec: PullRequestSpec,
  ): Promise<PullRequestRef> {
    const { data } = await this.octokit.rest.pulls.update({
      owner: this.owner,
      repo: this.repo,
      pull_number: number,
      title: spec.title,
      body: spec.body,
    });
    return this.ref(data.number, data.html_url, data.title, data.body ?? '', false, true);
  }

  async ensureComment(prNumber: number, body: string, marker: string): Promise<CommentRef> {
    const text = body.includes(marker) ? body : `${body}\n\n${marker}`;
    const comments = await this.octokit.paginate(this.octokit.rest.issues.listComments, {
      owner: this.owner,
      repo: this.repo,
      issue_number: prNumber,
      per_page: 100,
    });
    const mine = comments.find((c) => c.body?.includes(marker) === true);
    if (mine === undefined) {
      const { data } = await this.octokit.rest.issues.createComment({
        owner: this.owner,
        repo: this.repo,
        issue_number: prNumber,
        body: text,
      });
      return { id: data.id, created: true, updated: false };
    }
    if (mine.body === text) return { id: mine.id, created: false, updated: false };
    await this.octokit.rest.issues.updateComment({
      owner: this.owner,
      repo: this.repo,
      comment_id: mine.id,
      body: text,
    });
    return { id: mine.id, created: false, updated: true };
  }

  /** The names of the labels a pull request carries now. */
  private async labelsOn(prNumber: number): Promise<Set<string>> {
    const present = await this.octokit.paginate(this.octokit.rest.issues.listLabelsOnIssue, {
      owner: this.owner,
      repo: this.repo,
      issue_number: prNumber,
      per_page: 100,
    });
    return new Set(present.map((l) => l.name));
  }

  async ensureLabels(prNumber: number, labels: readonly string[]): Promise<readonly string[]> {
    if (labels.length === 0) return [];
    const names = await this.labelsOn(prNumber);
    const missing = [...new Set(labels)].filter((l) => !names.has(l));
    if (missing.length === 0) return [];
    await this.octokit.rest.issues.addLabels({
      owner: this.owner,
      repo: this.repo,
      issue_number: prNumber,
      labels: missing,
    });
    return missing;
  }

  async removeLabels(prNumber: number, labels: readonly string[]): Promise<readonly string[]> {
    if (labels.length === 0) return [];
    const names = await this.labelsOn(prNumber);
    const removed = [...new Set(labels)].filter((l) => names.has(l));
    for (const name of removed) {
      await this.octokit.rest.issues.removeLabel({
        owner: this.owner,
        repo: this.repo,
        issue_number: prNumber,
        name,
      });
    }
    return removed;
  }

  private ref(
    number: number,
    url: string,
    title: string,
    body: string,
    created: boolean,
    updated: boolean,
  ): PullRequestRef {
    return { platform: 'github', number, url, title, body, created, updated };
  }
}

export const platform: PlatformDefinition = {
  name: 'github',
  description: 'GitHub or GitHub Enterprise pull requests (@octokit/rest)',
  create: (options) => new GitHubPlatform(options),
};
