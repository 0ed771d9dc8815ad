/**
 * Delivery against real bare repositories on disk: the Renovate-like rules of DESIGN.md §5.
 */
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import {
  assertPushTarget,
  branchName,
  proposeTree,
  type ProposeTreeOptions,
} from '../../src/gitops/delivery.js';
import { createRemote, TARS_AUTHOR, type RemoteFixture } from './git-fixtures.js';

const BRANCH = 'tars/prod/rightsizing';
const remotes: RemoteFixture[] = [];

function remote(files?: Record<string, string>): RemoteFixture {
  const r = createRemote(files);
  remotes.push(r);
  return r;
}

afterEach(() => {
  for (const r of remotes.splice(0)) rmSync(r.root, { recursive: true, force: true });
});

function options(
  r: RemoteFixture,
  files: Record<string, string>,
  extra: Partial<ProposeTreeOptions> = {},
): ProposeTreeOptions {
  return {
    repoUrl: r.bare,
    clusterName: 'prod',
    concern: 'rightsizing',
    content: {
      files: new Map(Object.entries(files)),
      title: 'tars: right-size 2 workloads in prod',
      body: 'body',
    },
    author: TARS_AUTHOR,
    env: r.env,
    ...extra,
  };
}

const V1 = { 'shop/cart.yaml': 'cpu: 100m\n', 'kustomization.yaml': 'resources: [shop]\n' };
const V2 = { 'shop/cart.yaml': 'cpu: 50m\n', 'kustomization.yaml': 'resources: [shop]\n' };

describe('proposeTree on a bare repository', () => {
  it('proposes twice on the same input: one branch, one commit, base untouched', async () => {
    const r = remote();
    const baseBefore = r.sha('main');
    const first = await proposeTree(options(r, V1));
    expect(first.status).toBe('created');
    expect(first.branch).toBe(BRANCH);
    const second = await proposeTree(options(r, V1));
    expect(second.status).toBe('unchanged');
    expect(second.commit).toBe(first.commit);

    expect(r.sha(BRANCH)).toBe(first.commit);
    const commits = r.log(`main..${BRANCH}`);
    expect(commits).toHaveLength(1);
    expect(commits[0]?.author).toBe('tars-bot <tars@example.test>');
    expect(commits[0]?.parents).toEqual([baseBefore]);
    expect(r.sha('main')).toBe(baseBefore);
    expect(r.tree(BRANCH, 'generated/prod')).toEqual(new Map(Object.entries(V1)));
  });

  it('renders from the base branch as fetched, and proposes nothing when the renderer says so', async () => {
    const r = remote({ 'generated/prod/state.txt': 'applied: 1\n' });
    const seen: (string | undefined)[] = [];
    const renderFromBase = (next: string | undefined) => ({
      ...options(r, {}),
      content: async (readBase: (rel: string) => Promise<string | undefined>) => {
        seen.push(await readBase('state.txt'), await readBase('missing.txt'));
        return next === undefined
          ? undefined
          : {
              files: new Map([['state.txt', next]]),
              title: 'wave 2',
              body: 'b',
              labels: ['automerge'],
            };
      },
    });
    const nothing = await proposeTree(renderFromBase(undefined));
    expect(nothing.status).toBe('unchanged');
    expect(r.sha(BRANCH)).toBeUndefined();
    const created = await proposeTree(renderFromBase('applied: 2\n'));
    expect(created.status).toBe('created');
    expect(seen).toEqual(['applied: 1\n', undefined, 'applied: 1\n', undefined]);
    expect(r.tree(BRANCH, 'generated/prod').get('state.txt')).toBe('applied: 2\n');
  });

  it('works in a user environment with an editor and a pager set', async () => {
    const r = remote();
    const env = { ...r.env, EDITOR: 'vi', VISUAL: 'vi', PAGER: 'less', PREFIX: '/usr/local' };
    expect((await proposeTree(options(r, V1, { env }))).status).toBe('created');
  });

  it('updates the same branch with a single new commit on changed input', async () => {
    const r = remote();
    const baseBefore = r.sha('main');
    const first = await proposeTree(options(r, V1));
    const updated = await proposeTree(options(r, V2));
    expect(updated.status).toBe('updated');
    expect(updated.commit).not.toBe(first.commit);
    expect(r.sha(BRANCH)).toBe(updated.commit);
    expect(r.log(`main..${BRANCH}`)).toHaveLength(1);
    expect(r.tree(BRANCH, 'generated/prod').get('shop/cart.yaml')).toBe('cpu: 50m\n');
    expect(r.sha('main')).toBe(baseBefore);
  });

  it('rebuilds on the moved base, keeping files outside the cluster folder as the base has them', async () => {
    const r = remote();
    await proposeTree(options(r, V1));
    const newBase = r.pushCommit({
      branch: 'main',
      files: { 'apps/other.yaml': 'x: 1\n' },
      author: { name: 'Platform Team', email: 'platform@example.test' },
    });
    const updated = await proposeTree(options(r, V2));
    expect(updated.status).toBe('updated');
    const [commit] = r.log(`main..${BRANCH}`);
    expect(commit?.parents).toEqual([newBase]);
    expect(r.tree(BRANCH, 'apps').get('other.yaml')).toBe('x: 1\n');
    expect(r.sha('main')).toBe(newBase);
  });

  it('replaces the cluster folder: files no longer rendered are removed', async () => {
    const r = remote({
      'README.md': '#\n',
      'generated/prod/old/stale.yaml': 'stale: true\n',
      'generated/dev/keep.yaml': 'k: 1\n',
    });
    const outcome = await proposeTree(options(r, V1));
    expect(outcome.status).toBe('created');
    expect(r.tree(BRANCH, 'generated/prod')).toEqual(new Map(Object.entries(V1)));
    expect(r.tree(BRANCH, 'generated/dev').get('keep.yaml')).toBe('k: 1\n');
  });

  it('pushes nothing when the base already holds the tree', async () => {
    const r = remote({
      'generated/prod/shop/cart.yaml': V1['shop/cart.yaml'],
      'generated/prod/kustomization.yaml': V1['kustomization.yaml'],
    });
    const outcome = await proposeTree(options(r, V1));
    expect(outcome.status).toBe('unchanged');
    expect(outcome.commit).toBeUndefined();
    expect(r.sha(BRANCH)).toBeUndefined();
  });

  it('leaves a branch someone else committed to alone and reports the commit', async () => {
    const r = remote();
    await proposeTree(options(r, V1));
    const foreign = r.pushCommit({
      branch: BRANCH,
      files: { 'generated/prod/shop/cart.yaml': 'cpu: 75m\n' },
      author: { name: 'Alice Reviewer', email: 'alice@example.test' },
      message: 'tweak by hand',
    });
    const outcome = await proposeTree(options(r, V2));
    expect(outcome.status).toBe('skipped-foreign-commits');
    expect(outcome.foreignCommits?.map((c) => c.sha)).toEqual([foreign]);
    expect(outcome.foreignCommits?.[0]?.author).toBe('Alice Reviewer <alice@example.test>');
    expect(outcome.message).toContain('Alice Reviewer');
    expect(r.sha(BRANCH)).toBe(foreign);
  });

  it('treats a commit amended by someone else (TARS author, other committer) as foreign', async () => {
    const r = remote();
    const first = await proposeTree(options(r, V1));
    // Another person re-commits TARS's change with TARS as author (a rebase or an amend).
    const amended = r.pushCommit({
      branch: BRANCH,
      onto: 'main',
      files: {
        'generated/prod/shop/cart.yaml': 'cpu: 100m\n',
        'generated/prod/kustomization.yaml': 'resources: [shop]\n',
      },
      author: TARS_AUTHOR,
      committer: { name: 'Bob', email: 'bob@example.test' },
    });
    expect(amended).not.toBe(first.commit);
    const outcome = await proposeTree(options(r, V2));
    expect(outcome.status).toBe('skipped-foreign-commits');
    expect(r.sha(BRANCH)).toBe(amended);
  });

  it('recovers from a push race against another TARS run by retrying from a fresh fetch', async () => {
    const r = remote();
    await proposeTree(options(r, V1));
    let raced = 0;
    const outcome = await proposeTree(
      options(r, V2, {
        beforePush: async (attempt) => {
          if (attempt !== 1) return;
          raced++;
          // A parallel TARS run (same author) pushes a different proposal in between.
          r.pushCommit({
            branch: BRANCH,
            onto: 'main',
            files: { 'generated/prod/shop/cart.yaml': 'cpu: 60m\n' },
            author: TARS_AUTHOR,
          });
          await Promise.resolve();
        },
      }),
    );
    expect(raced).toBe(1);
    expect(outcome.status).toBe('updated');
    expect(r.sha(BRANCH)).toBe(outcome.commit);
    expect(r.tree(BRANCH, 'generated/prod').get('shop/cart.yaml')).toBe('cpu: 50m\n');
    expect(r.log(`main..${BRANCH}`)).toHaveLength(1);
  });

  it('does not overwrite a commit someone else pushed during the race', async () => {
    const r = remote();
    await proposeTree(options(r, V1));
    let foreign = '';
    const outcome = await proposeTree(
      options(r, V2, {
        beforePush: async (attempt) => {
          if (attempt !== 1) return;
          foreign = r.pushCommit({
            branch: BRANCH,
            files: { 'generated/prod/shop/cart.yaml': 'cpu: 80m\n' },
            author: { name: 'Carol', email: 'carol@example.test' },
          });
          await Promise.resolve();
        },
      }),
    );
    expect(outcome.status).toBe('skipped-foreign-commits');
    expect(r.sha(BRANCH)).toBe(foreign);
  });

  it('reuses a branch that was merged into the base, fast-forward or with a merge commit', async () => {
    const r = remote();
    const first = await proposeTree(options(r, V1));
    // Fast-forward merge: main now points at TARS's commit, the branch has no commit of its own.
    r.setRef('refs/heads/main', first.commit ?? '');
    const ffBase = r.sha('main');
    expect(ffBase).toBe(r.sha(BRANCH));
    const afterFf = await proposeTree(options(r, V2));
    expect(afterFf.status).toBe('updated');
    expect(r.log(`main..${BRANCH}`).map((c) => c.parents)).toEqual([[ffBase]]);
    // Merge commit on main, then main moves on: the branch tip is reachable from main.
    const work = r.pushCommit({
      branch: 'main',
      files: { 'apps/x.yaml': 'x: 1\n' },
      author: { name: 'Platform Team', email: 'platform@example.test' },
      mergeFrom: BRANCH,
    });
    expect(work).toBe(r.sha('main'));
    const V3 = { ...V2, 'shop/cart.yaml': 'cpu: 40m\n' };
    const afterMerge = await proposeTree(options(r, V3));
    expect(afterMerge.status).toBe('updated');
    expect(r.log(`main..${BRANCH}`)).toHaveLength(1);
    expect(first.commit).not.toBe(afterMerge.commit);
  });

  it('never pushes to the base branch', async () => {
    const r = remote();
    const baseBefore = r.sha('main');
    expect(() => assertPushTarget('main', 'main')).toThrow(InputError);
    expect(() => assertPushTarget('refs/heads/main', 'main')).toThrow(InputError);
    expect(() => assertPushTarget('feature/x', 'main')).toThrow(InputError);
    expect(() => assertPushTarget(BRANCH, 'main')).not.toThrow();
    // The base named like TARS's branch: refused before anything is pushed.
    await expect(proposeTree(options(r, V1, { base: BRANCH }))).rejects.toThrow(
      /refusing to push to the base branch/,
    );
    expect(r.sha('main')).toBe(baseBefore);
  });

  it('rejects unsafe names and paths as input errors', async () => {
    const r = remote();
    expect(() => branchName('prod', '../main')).toThrow(InputError);
    expect(() => branchName('prod cluster', 'rightsizing')).toThrow(InputError);
    await expect(proposeTree(options(r, { '../escape.yaml': 'x' }))).rejects.toThrow(InputError);
    await expect(proposeTree(options(r, { '.git/config': 'x' }))).rejects.toThrow(InputError);
    await expect(proposeTree(options(r, V1, { base: 'does-not-exist' }))).rejects.toThrow(
      /base branch "does-not-exist" does not exist/,
    );
  });

  it('reaches an SSH remote through the user GIT_SSH_COMMAND, untouched', async () => {
    const r = remote();
    // A stand-in for ssh: records its arguments and runs the remote git command locally.
    const fakeSsh = join(r.root, 'fake-ssh.sh');
    const calls = join(r.root, 'ssh-calls.log');
    writeFileSync(
      fakeSsh,
      `#!/bin/sh\necho "$@" >> '${calls}'\nfor last; do :; done\nexec sh -c "$last"\n`,
    );
    chmodSync(fakeSsh, 0o755);
    const outcome = await proposeTree(
      options(r, V1, {
        repoUrl: `ssh://git@git.example.test${r.bare}`,
        env: { ...r.env, GIT_SSH_COMMAND: fakeSsh },
      }),
    );
    expect(outcome.status).toBe('created');
    expect(r.sha(BRANCH)).toBe(outcome.commit);
    const log = readFileSync(calls, 'utf8');
    expect(log).toContain('git@git.example.test');
    expect(log).toContain('git-receive-pack');
  });
});
