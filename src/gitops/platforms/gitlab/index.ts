/**
 * GitLab (gitlab.com or self-hosted) merge requests through `@gitbeaker/rest`. The project is
 * addressed by its full path (`group/subgroup/project`); the merge request for a head branch is
 * found with `state=opened&source_branch=…&target_branch=…`; comments are merge-request notes.
 */
import { Gitlab } from '@gitbeaker/rest';
import { HostedPlatform, requireToken } from '../hosted.js';
import { parseRepoUrl } from '../repo-url.js';
import type {
  CommentRef,
  PlatformDefinition,
  PlatformOptions,
  PullRequestRef,
  PullRequestSpec,
} from '../types.js';

interface MergeRequestFields {
  readonly iid: number;
  readonly web_url: string;
  readonly title: string;
  readonly description: string | null;
  readonly source_branch: string;
  readonly target_branch: string;
}

class GitLabPlatform extends HostedPlatform {
  readonly name = 'gitlab' as const;
  private readonly api: InstanceType<typeof Gitlab>;
  private readonly projectId: string;

  constructor(options: PlatformOptions) {
    super();
    const token = requireToken(options, 'gitlab', 'GITLAB_TOKEN');
    const location = parseRepoUrl(options.repoUrl);
    this.projectId = location.segments.join('/');
    this.api = new Gitlab({
      host: options.apiUrl ?? `https://${location.host}`,
      token,
    });
  }

  async findPullRequest(head: string, base: string): Promise<PullRequestRef | undefined> {
    const list = (await this.api.MergeRequests.all({
      projectId: this.projectId,
      state: 'opened',
      sourceBranch: head,
      targetBranch: base,
    })) as unknown as MergeRequestFields[];
    const mr = list.find((m) => m.source_branch === head && m.target_branch === base);
    return mr === undefined ? undefined : this.ref(mr, false, false);
  }

  protected async createPullRequest(spec: PullRequestSpec): Promise<PullRequestRef> {
    const created = (await this.api.MergeRequests.create(
      this.projectId,
      spec.head,
      spec.base,
      spec.title,
      {
        description: spec.body,
        removeSourceBranch: true,
      },
    )) as unknown as MergeRequestFields;
    return this.ref(created, true, false);
  }

  protected async updatePullRequest(
    number: number,
    spec: PullRequestSpec,
  ): Promise<PullRequestRef> {
    const edited = (await this.api.MergeRequests.edit(this.projectId, number, {
      title: spec.title,
      description: spec.body,
    })) as unknown as MergeRequestFields;
    return this.ref(edited, false, true);
  }

  async ensureComment(prNumber: number, body: string, marker: string): Promise<CommentRef> {
    const text = body.includes(marker) ? body : `${body}\n\n${marker}`;
    const notes = (await this.api.MergeRequestNotes.all(this.projectId, prNumber)) as unknown as {
      id: number;
      body: string;
      system: boolean;
    }[];
    const mine = notes.find((n) => !n.system && n.body.includes(marker));
    if (mine === undefined) {
      const note = (await this.api.MergeRequestNotes.create(
        this.projectId,
        prNumber,
        text,
      )) as unknown as { id: number };
      return { id: note.id, created: true, updated: false };
    }
    if (mine.body === text) return { id: mine.id, created: false, updated: false };
    await this.api.MergeRequestNotes.edit(this.projectId, prNumber, mine.id, { body: text });
    return { id: mine.id, created: false, updated: true };
  }

  async ensureLabels(prNumber: number, labels: readonly string[]): Promise<readonly string[]> {
    if (labels.length === 0) return [];
    const mr = (await this.api.MergeRequests.show(this.projectId, prNumber)) as unknown as {
      labels: string[];
    };
    const missing = [...new Set(labels)].filter((l) => !mr.labels.includes(l));
    if (missing.length === 0) return [];
    await this.api.MergeRequests.edit(this.projectId, prNumber, { addLabels: missing.join(',') });
    return missing;
  }

  async removeLabels(prNumber: number, labels: readonly string[]): Promise<readonly string[]> {
    if (labels.length === 0) return [];
    const mr = (await this.api.MergeRequests.show(this.projectId, prNumber)) as unknown as {
      labels: string[];
    };
    const removed = [...new Set(labels)].filter((l) => mr.labels.includes(l));
    if (removed.length === 0) return [];
    await this.api.MergeRequests.edit(this.projectId, prNumber, {
      removeLabels: removed.join(','),
    });
    return removed;
  }

  private ref(mr: MergeRequestFields, created: boolean, updated: boolean): PullRequestRef {
    return {
      platform: 'gitlab',
      number: mr.iid,
      url: mr.web_url,
      title: mr.title,
      body: mr.description ?? '',
      created,
      updated,
    };
  }
}

export const platform: PlatformDefinition = {
  name: 'gitlab',
  description: 'GitLab merge requests, gitlab.com or self-hosted (@gitbeaker/rest)',
  create: (options) => new GitLabPlatform(options),
};
