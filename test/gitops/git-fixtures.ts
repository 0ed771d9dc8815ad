/**
 * Real git repositories for the delivery tests: a bare "remote" with a `main` branch, and helpers
 * that act as other people (or another TARS run) pushing to it. Plain `git` through execFile,
 * isolated from the machine's global and system configuration.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const TARS_AUTHOR = { name: 'tars-bot', email: 'tars@example.test' };

export function isolatedGitEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
  };
}

export function git(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv): string {
  return execFileSync('git', args, {
    cwd,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

export interface RemoteFixture {
  readonly root: string;
  /** Bare repository path (also usable as a git URL). */
  readonly bare: string;
  readonly env: NodeJS.ProcessEnv;
  /** The sha a ref points at in the bare repository, or undefined. */
  sha(ref: string): string | undefined;
  /** Points `ref` of the bare repository at `sha` (a fast-forward merge done by the server). */
  setRef(ref: string, sha: string): void;
  /** `git log` subjects/authors of `range` in the bare repository. */
  log(range: string): { sha: string; author: string; parents: string[] }[];
  /** Files at `ref` under `dir`, path → content. */
  tree(ref: string, dir: string): Map<string, string>;
  /** Commits `files` as `author` on top of `onto` (a branch of the remote) and pushes to `branch`. */
  pushCommit(options: {
    branch: string;
    onto?: string;
    files: Record<string, string>;
    author: { name: string; email: string };
    /** Defaults to the author. */
    committer?: { name: string; email: string };
    message?: string;
    /** Commit even when `files` change nothing. */
    allowEmpty?: boolean;
    /** Merge this branch of the remote (no fast-forward) before committing `files`. */
    mergeFrom?: string;
  }): string;
}

/** A bare repository `remote.git` under a fresh temp folder, with `main` holding `files`. */
export function createRemote(
  files: Record<string, string> = { 'README.md': '# platform\n' },
  name = 'remote.git',
): RemoteFixture {
  const root = mkdtempSync(join(tmpdir(), 'tars-remote-'));
  const env = isolatedGitEnv(root);
  const bare = join(root, name);
  mkdirSync(dirname(bare), { recursive: true });
  git(root, ['init', '--quiet', '--bare', '--initial-branch=main', bare], env);
  let scratch = 0;
  const fixture: RemoteFixture = {
    root,
    bare,
    env,
    sha(ref) {
      try {
        return git(bare, ['rev-parse', '--verify', '--quiet', ref], env);
      } catch {
        return undefined;
      }
    },
    setRef(ref, sha) {
      git(bare, ['update-ref', ref, sha], env);
    },
    log(range) {
      const out = git(bare, ['log', '--format=%H %P%x1f%an <%ae>', range], env);
      return out === ''
        ? []
        : out.split('\n').map((line) => {
            const [shas = '', author = ''] = line.split('\x1f');
            const [sha = '', ...parents] = shas.trim().split(' ');
            return { sha, author, parents };
          });
    },
    tree(ref, dir) {
      const names = git(bare, ['ls-tree', '-r', '--name-only', ref, '--', dir], env);
      const result = new Map<string, string>();
      for (const name of names.split('\n').filter((n) => n !== '')) {
        result.set(name.slice(dir.length + 1), git(bare, ['show', `${ref}:${name}`], env) + '\n');
      }
      return result;
    },
    pushCommit({
      branch,
      onto,
      files: changed,
      author,
      committer,
      message,
      allowEmpty,
      mergeFrom,
    }) {
      const work = join(root, `clone-${++scratch}`);
      const source = onto ?? branch;
      git(root, ['clone', '--quiet', '--branch', source, bare, work], env);
      for (const [rel, content] of Object.entries(changed)) {
        mkdirSync(dirname(join(work, rel)), { recursive: true });
        writeFileSync(join(work, rel), content);
      }
      const identity = ['-c', `user.name=${author.name}`, '-c', `user.email=${author.email}`];
      const committerEnv = {
        ...env,
        GIT_COMMITTER_NAME: (committer ?? author).name,
        GIT_COMMITTER_EMAIL: (committer ?? author).email,
      };
      if (mergeFrom !== undefined) {
        git(work, ['fetch', '--quiet', 'origin', mergeFrom], env);
        git(
          work,
          [...identity, 'merge', '--quiet', '--no-ff', '-m', `merge ${mergeFrom}`, 'FETCH_HEAD'],
          committerEnv,
        );
      }
      git(work, ['add', '--all'], env);
      const extra = allowEmpty === true ? ['--allow-empty'] : [];
      git(
        work,
        [...identity, 'commit', '--quiet', ...extra, '-m', message ?? 'change'],
        committerEnv,
      );
      git(work, ['push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${branch}`], env);
      return git(work, ['rev-parse', 'HEAD'], env);
    },
  };
  const seed = join(root, 'seed');
  mkdirSync(seed);
  git(seed, ['init', '--quiet', '--initial-branch=main'], env);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(seed, rel)), { recursive: true });
    writeFileSync(join(seed, rel), content);
  }
  git(seed, ['add', '--all'], env);
  git(
    seed,
    [
      '-c',
      'user.name=Platform Team',
      '-c',
      'user.email=platform@example.test',
      'commit',
      '--quiet',
      '-m',
      'initial',
    ],
    env,
  );
  git(seed, ['push', '--quiet', bare, 'main'], env);
  return fixture;
}
