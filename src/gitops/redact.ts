/**
 * Keeps credentials out of every message TARS prints, logs or throws during delivery.
 *
 * git and the platform clients put URLs, command lines and sometimes headers into their errors;
 * anything that leaves `src/gitops` passes through a Redactor first. A secret is removed in the
 * forms it can take on the way: as is, URL-encoded, and base64-encoded inside a Basic
 * `Authorization` header value.
 */

/** Environment variables whose values are git or platform tokens. */
export const TOKEN_ENV_VARS = ['TARS_GIT_TOKEN', 'GITHUB_TOKEN', 'GITLAB_TOKEN'] as const;

export const REDACTED = '***';

/** `scheme://user:password@host` or `scheme://token@host`: the userinfo part of a URL. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@'"]+@/gi;

/** `Authorization: Bearer X`, `Authorization: Basic X`, `Authorization: token X`. */
const AUTHORIZATION_VALUE = /(authorization:\s*(?:bearer|basic|token)\s+)[^\s'"]+/gi;

export class Redactor {
  private readonly secrets = new Set<string>();

  constructor(secrets: Iterable<string | undefined> = []) {
    for (const secret of secrets) this.add(secret);
  }

  /** Registers a secret and the encoded forms it may appear in. Empty values are ignored. */
  add(secret: string | undefined): this {
    if (secret === undefined || secret.length === 0) return this;
    this.secrets.add(secret);
    this.secrets.add(encodeURIComponent(secret));
    this.secrets.add(Buffer.from(secret).toString('base64'));
    return this;
  }

  /** Registers the exact header value sent to a server (e.g. base64 of `user:token`). */
  addHeaderValue(value: string): this {
    this.secrets.add(value);
    return this;
  }

  redact(text: string): string {
    let result = text
      .replace(URL_USERINFO, `$1${REDACTED}@`)
      .replace(AUTHORIZATION_VALUE, `$1${REDACTED}`);
    // Longest first, so a secret that contains another is removed whole.
    const ordered = [...this.secrets].sort((a, b) => b.length - a.length);
    for (const secret of ordered) result = result.split(secret).join(REDACTED);
    return result;
  }

  /** The message of any thrown value, redacted. */
  message(e: unknown): string {
    return this.redact(e instanceof Error ? e.message : String(e));
  }

  /**
   * A plain Error carrying only the redacted message (and name) of `e`. Use it as the `cause`
   * of errors TARS throws, so that printing the cause chain (util.inspect) shows no secret
   * (simple-git's errors carry the command line and its task objects).
   */
  sanitize(e: unknown): Error {
    const clean = new Error(this.message(e));
    if (e instanceof Error) clean.name = e.name;
    clean.stack = `${clean.name}: ${clean.message}`;
    return clean;
  }
}

/** A redactor for the tokens in the environment, plus any extra secrets given. */
export function redactorFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  extra: Iterable<string | undefined> = [],
): Redactor {
  const redactor = new Redactor(extra);
  for (const name of TOKEN_ENV_VARS) redactor.add(env[name]);
  return redactor;
}

/** The URL without its userinfo (user, password or token), for logs and git remotes. */
export function stripUserinfo(url: string): string {
  return url.replace(URL_USERINFO, '$1');
}

/** The password (or the user, when it is alone) of an http(s) URL's userinfo, if any. */
export function userinfoSecret(url: string): string | undefined {
  if (!/^https?:\/\//i.test(url)) return undefined;
  try {
    const parsed = new URL(url);
    const secret = parsed.password !== '' ? parsed.password : parsed.username;
    return secret === '' ? undefined : decodeURIComponent(secret);
  } catch {
    return undefined;
  }
}
