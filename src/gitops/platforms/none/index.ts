/**
 * No code-review platform: TARS pushes the branch and the caller prints the pull-request title
 * and body (returned here) for a person to open it by hand.
 */
import type {
  PlatformAdapter,
  PlatformDefinition,
  PullRequestRef,
  PullRequestSpec,
} from '../types.js';

class NoPlatform implements PlatformAdapter {
  readonly name = 'none' as const;

  findPullRequest(): Promise<PullRequestRef | undefined> {
    return Promise.resolve(undefined);
  }

  ensurePullRequest(spec: PullRequestSpec): Promise<PullRequestRef> {
    return Promise.resolve({
      platform: 'none',
      number: null,
      url: null,
      created: false,
      updated: false,
      title: spec.title,
      body: spec.body,
    });
  }

  ensureComment(): Promise<{ id: null; created: false; updated: false }> {
    return Promise.resolve({ id: null, created: false, updated: false });
  }

  ensureLabels(): Promise<readonly string[]> {
    return Promise.resolve([]);
  }

  removeLabels(): Promise<readonly string[]> {
    return Promise.resolve([]);
  }
}

export const platform: PlatformDefinition = {
  name: 'none',
  description: 'branch only; the pull-request title and body go to stdout',
  create: () => new NoPlatform(),
};
