/**
 * Reads the host and repository path out of a git remote URL, in the forms users paste:
 * `https://host/org/repo(.git)`, `ssh://git@host[:port]/org/repo.git`, `git@host:org/repo.git`.
 */
import { InputError } from '../../errors.js';

export interface RepoLocation {
  readonly host: string;
  /** Path segments after the host, without `.git`: `[org, repo]` or `[group, sub, project]`. */
  readonly segments: readonly string[];
}

export function parseRepoUrl(repoUrl: string): RepoLocation {
  let host: string;
  let path: string;
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/.exec(repoUrl);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repoUrl)) {
    let url: URL;
    try {
      url = new URL(repoUrl);
    } catch {
      throw new InputError(`"${repoUrl.replace(/\/\/[^/@]*@/, '//***@')}" is not a repository URL`);
    }
    host = url.host;
    path = decodeURIComponent(url.pathname);
  } else if (scp?.[1] !== undefined && scp[2] !== undefined) {
    host = scp[1];
    path = scp[2];
  } else {
    throw new InputError(`cannot tell host and repository from "${repoUrl}"`);
  }
  const segments = path
    .replace(/\.git\/?$/, '')
    .split('/')
    .filter((s) => s !== '');
  if (segments.length < 2)
    throw new InputError(`"${repoUrl.replace(/\/\/[^/@]*@/, '//***@')}" names no owner/repository`);
  return { host, segments };
}
