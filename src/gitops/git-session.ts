/**
 * A throw-away local repository talking to one remote through simple-git, with credentials kept
 * out of URLs, argv and messages.
 *
 * HTTPS: the token travels as an `http.extraHeader` set through git's `GIT_CONFIG_COUNT`
 * environment (never argv, so neither `ps` nor simple-git's errors show it, and never the remote
 * URL). SSH: the user's agent, `GIT_SSH_COMMAND` or `GIT_SSH` pass through untouched.
 */
import { simpleGit, type SimpleGit } from 'simple-git';
import { TOKEN_ENV_VARS, type Redactor, stripUserinfo } from './redact.js';

export interface GitAuthor {
  readonly name: string;
  readonly email: string;
}

export interface GitSessionOptions {
  readonly dir: string;
  readonly remoteUrl: string;
  readonly token?: string;
  /** Username sent with the token in Basic auth (GitHub: x-access-token, GitLab: oauth2). */
  readonly tokenUser?: string;
  readonly author: GitAuthor;
  readonly redactor: Redactor;
  readonly env?: NodeJS.ProcessEnv;
  /** Per git command, in milliseconds. */
  readonly timeoutMs?: number;
}

/**
 * Interactive helpers git would run (editors, pagers, askpass) and `PREFIX` (read as a config
 * path): a bot needs none, and simple-git refuses to run with them set. Users (and npm, which
 * sets EDITOR for scripts) commonly have them, so they are dropped rather than refused.
 */
const DROPPED_ENV = new Set(['EDITOR', 'VISUAL', 'PAGER', 'SSH_ASKPASS', 'PREFIX']);

/** Environment variables of the user that git may keep (SSH agent and command). */
const PASS_THROUGH_GIT_ENV = ['GIT_SSH_COMMAND', 'GIT_SSH'] as const;

export function isHttpUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

/** The Basic `Authorization` header value for a token, as git hosting services accept it. */
export function basicAuthHeader(user: string, token: string): string {
  return `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;
}

/**
 * The environment for git: the caller's, without token variables (git needs none of them),
 * without terminal prompts, in the C locale (messages we recognise), plus the auth header.
 */
function gitEnvironment(options: GitSessionOptions): {
  env: Record<string, string>;
  allow: string[];
  configFromEnv: boolean;
  sshCommand: boolean;
} {
  const source = options.env ?? process.env;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    if ((TOKEN_ENV_VARS as readonly string[]).includes(key)) continue;
    if (key.toUpperCase().startsWith('GIT_') || DROPPED_ENV.has(key.toUpperCase())) continue;
    env[key] = value;
  }
  const allow = ['GIT_TERMINAL_PROMPT'];
  env.GIT_TERMINAL_PROMPT = '0';
  env.LC_ALL = 'C';
  let sshCommand = false;
  for (const key of PASS_THROUGH_GIT_ENV) {
    const value = source[key];
    if (value === undefined) continue;
    env[key] = value;
    allow.push(key);
    sshCommand = true;
  }
  let configFromEnv = false;
  if (options.token !== undefined && isHttpUrl(options.remoteUrl)) {
    const header = basicAuthHeader(options.tokenUser ?? 'x-access-token', options.token);
    options.redactor.addHeaderValue(header);
    Object.assign(env, {
      GIT_CONFIG_COUNT: '1',
      // Scoped to the remote's origin: submodules or LFS elsewhere never get the token.
      GIT_CONFIG_KEY_0: `http.${new URL(options.remoteUrl).origin}/.extraHeader`,
      GIT_CONFIG_VALUE_0: `Authorization: ${header}`,
    });
    allow.push('GIT_CONFIG_COUNT', 'GIT_CONFIG_KEY_0', 'GIT_CONFIG_VALUE_0');
    configFromEnv = true;
  }
  return { env, allow, configFromEnv, sshCommand };
}

/** A simple-git instance bound to `dir`, configured for TARS's commits and the remote's auth. */
export function openGit(options: GitSessionOptions): SimpleGit {
  const { env, allow, configFromEnv, sshCommand } = gitEnvironment(options);
  const git = simpleGit({
    baseDir: options.dir,
    config: [
      `user.name=${options.author.name}`,
      `user.email=${options.author.email}`,
      // A bot's commits must not wait for a passphrase or depend on a user's signing setup.
      'commit.gpgSign=false',
      'advice.detachedHead=false',
      'init.defaultBranch=tars-work',
    ],
    allowEnvironment: allow,
    unsafe: { allowUnsafeConfigEnvCount: configFromEnv, allowUnsafeSshCommand: sshCommand },
    timeout: { block: options.timeoutMs ?? 120_000 },
  });
  return git.env(env);
}

/** The remote URL as git gets it: never with userinfo (the token goes in a header instead). */
export function remoteUrlForGit(repoUrl: string): string {
  return isHttpUrl(repoUrl) ? stripUserinfo(repoUrl) : repoUrl;
}
