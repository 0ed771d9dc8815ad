import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Redactor, redactorFromEnv, stripUserinfo, userinfoSecret } from './redact.js';

const TOKEN = 'glpat-Secret_Value+/=42';

describe('Redactor', () => {
  it('removes a secret as is, URL-encoded and base64-encoded', () => {
    const r = new Redactor([TOKEN]);
    const text = `a ${TOKEN} b ${encodeURIComponent(TOKEN)} c ${Buffer.from(TOKEN).toString('base64')} d`;
    expect(r.redact(text)).toBe('a *** b *** c *** d');
  });

  it('removes URL userinfo and Authorization header values even for unknown secrets', () => {
    const r = new Redactor();
    expect(r.redact("fatal: unable to access 'https://bot:unknown@git.example/x.git/'")).toBe(
      "fatal: unable to access 'https://***@git.example/x.git/'",
    );
    expect(r.redact('-c http.extraHeader=Authorization: Basic eHl6OmFiYw== fetch')).toBe(
      '-c http.extraHeader=Authorization: Basic *** fetch',
    );
    expect(r.redact('Authorization: Bearer abc.def')).toBe('Authorization: Bearer ***');
  });

  it('reads the token variables of the environment and ignores empty ones', () => {
    const r = redactorFromEnv({
      TARS_GIT_TOKEN: 'tok-a',
      GITHUB_TOKEN: '',
      GITLAB_TOKEN: 'tok-c',
      OTHER: 'visible',
    });
    expect(r.redact('tok-a tok-c visible')).toBe('*** *** visible');
    expect(r.redact('nothing to hide')).toBe('nothing to hide');
  });

  it('sanitizes errors: message and inspected form carry no secret, the cause chain is dropped', () => {
    const r = new Redactor([TOKEN]);
    const original = new Error(
      `push to https://x:${encodeURIComponent(TOKEN)}@h/r failed: ${TOKEN}`,
      {
        cause: { headers: { 'private-token': TOKEN } },
      },
    );
    const clean = r.sanitize(original);
    expect(clean.message).toBe('push to https://***@h/r failed: ***');
    expect(inspect(clean, { depth: 10 })).not.toContain(TOKEN);
    expect(r.message('plain string error')).toBe('plain string error');
  });
});

describe('URL userinfo', () => {
  it('is stripped from URLs and read as the secret', () => {
    expect(
      stripUserinfo(`https://oauth2:${encodeURIComponent(TOKEN)}@gitlab.example/g/p.git`),
    ).toBe('https://gitlab.example/g/p.git');
    expect(
      userinfoSecret(`https://oauth2:${encodeURIComponent(TOKEN)}@gitlab.example/g/p.git`),
    ).toBe(TOKEN);
    expect(userinfoSecret('https://ghp_only@github.com/a/b.git')).toBe('ghp_only');
    expect(userinfoSecret('https://github.com/a/b.git')).toBeUndefined();
    expect(userinfoSecret('git@github.com:a/b.git')).toBeUndefined();
  });
});
