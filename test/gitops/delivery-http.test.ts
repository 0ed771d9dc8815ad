/**
 * Delivery over smart HTTP to a real `git http-backend` that demands a token, and the rule that
 * a token planted in the environment shows up in no output, log line or error.
 */
import { rmSync } from 'node:fs';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SourceUnreachableError } from '../../src/errors.js';
import { proposeTree, type ProposeTreeOptions } from '../../src/gitops/delivery.js';
import { startGitHttpServer, type GitHttpServer } from '../support/git-http.js';
import { createRemote, TARS_AUTHOR, type RemoteFixture } from './git-fixtures.js';

const TOKEN = 'tok_Planted9f3c2b7e1d5a4c8b6e0f2a1d3c5b7e9f';
const BRANCH = 'tars/prod/network';
let r: RemoteFixture;
let server: GitHttpServer;

beforeEach(async () => {
  r = createRemote();
  server = await startGitHttpServer({ projectRoot: r.root, token: TOKEN });
});

afterEach(async () => {
  await server.close();
  rmSync(r.root, { recursive: true, force: true });
});

function options(
  files: Record<string, string>,
  extra: Partial<ProposeTreeOptions> = {},
): ProposeTreeOptions {
  return {
    repoUrl: `${server.url}/remote.git`,
    clusterName: 'prod',
    concern: 'network',
    content: {
      files: new Map(Object.entries(files)),
      title: 'tars: NetworkPolicies for prod',
      body: 'body',
    },
    author: TARS_AUTHOR,
    env: { ...r.env, TARS_GIT_TOKEN: TOKEN },
    ...extra,
  };
}

describe('proposeTree over HTTP with a token', () => {
  it('authenticates every request with a header, never through the URL', async () => {
    const outcome = await proposeTree(options({ 'shop/netpol.yaml': 'kind: NetworkPolicy\n' }));
    expect(outcome.status).toBe('created');
    expect(r.sha(BRANCH)).toBe(outcome.commit);
    expect(server.requests.length).toBeGreaterThan(2);
    for (const request of server.requests) {
      expect(request.status).toBe(200);
      expect(request.authorization).toMatch(/^Basic /);
      expect(request.url).not.toContain(TOKEN);
    }
    expect(server.requests.some((q) => q.url.includes('service=git-receive-pack'))).toBe(true);
  });

  it('is refused without the token, and says so without a secret', async () => {
    const env = { ...r.env };
    const error = await proposeTree(options({ 'a.yaml': 'a\n' }, { env })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceUnreachableError);
    expect(server.requests.every((q) => q.status === 401)).toBe(true);
    expect(r.sha(BRANCH)).toBeUndefined();
  });

  it('recovers when another TARS run pushes between its fetch and its push', async () => {
    await proposeTree(options({ 'shop/netpol.yaml': 'v: 1\n' }));
    const baseBefore = r.sha('main');
    // The server moves the branch the moment TARS asks where the refs are for its push.
    server.setReceivePackHook(() => {
      r.pushCommit({
        branch: BRANCH,
        onto: 'main',
        files: { 'generated/prod/shop/netpol.yaml': 'v: racing\n' },
        author: TARS_AUTHOR,
      });
    });
    const before = server.requests.length;
    const outcome = await proposeTree(options({ 'shop/netpol.yaml': 'v: 2\n' }));
    expect(outcome.status).toBe('updated');
    const pushes = server.requests
      .slice(before)
      .filter((q) => q.url.includes('info/refs?service=git-receive-pack'));
    expect(pushes).toHaveLength(2);
    expect(r.sha(BRANCH)).toBe(outcome.commit);
    expect(r.tree(BRANCH, 'generated/prod').get('shop/netpol.yaml')).toBe('v: 2\n');
    expect(r.log(`main..${BRANCH}`)).toHaveLength(1);
    expect(r.sha('main')).toBe(baseBefore);
  });
});

describe('a planted token', () => {
  const forms = [
    TOKEN,
    Buffer.from(TOKEN).toString('base64'),
    Buffer.from(`x-access-token:${TOKEN}`).toString('base64'),
    encodeURIComponent(TOKEN),
  ];

  function expectClean(text: string): void {
    for (const form of forms) expect(text).not.toContain(form);
  }

  it('appears in no output, log line or error, on success and on failure', async () => {
    const printed: string[] = [];
    const logs: string[] = [];
    const errors: unknown[] = [];
    const originalStdout = process.stdout.write.bind(process.stdout);
    const originalStderr = process.stderr.write.bind(process.stderr);
    const capture =
      (sink: string[], original: typeof process.stdout.write) =>
      (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
        sink.push(String(chunk));
        return (original as (c: string | Uint8Array, ...a: unknown[]) => boolean)(chunk, ...rest);
      };
    process.stdout.write = capture(printed, originalStdout);
    process.stderr.write = capture(printed, originalStderr);
    const env = { ...r.env, TARS_GIT_TOKEN: TOKEN, GITHUB_TOKEN: TOKEN, GITLAB_TOKEN: TOKEN };
    const log = (line: string): void => void logs.push(line);
    try {
      // Success: logs only.
      const ok = await proposeTree(options({ 'a.yaml': 'a: 1\n' }, { env, log }));
      expect(ok.status).toBe('created');
      // A repository the server does not have.
      await proposeTree(
        options({ 'a.yaml': 'a\n' }, { env, log, repoUrl: `${server.url}/missing.git` }),
      ).catch((e: unknown) => errors.push(e));
      // The token inside the URL, to a port nobody listens on.
      const url = new URL(server.url);
      await proposeTree(
        options(
          { 'a.yaml': 'a\n' },
          { env, log, repoUrl: `http://tars:${TOKEN}@127.0.0.1:1/remote.git` },
        ),
      ).catch((e: unknown) => errors.push(e));
      // The token inside the URL, to the right server but the wrong repository path.
      await proposeTree(
        options(
          { 'a.yaml': 'a\n' },
          { env, log, repoUrl: `http://x-access-token:${TOKEN}@${url.host}/nope/remote.git` },
        ),
      ).catch((e: unknown) => errors.push(e));
      // A push that fails: the server goes away between fetch and push.
      await proposeTree(
        options(
          { 'a.yaml': 'a: 2\n' },
          {
            env,
            log,
            beforePush: () => server.close(),
          },
        ),
      ).catch((e: unknown) => errors.push(e));
    } finally {
      process.stdout.write = originalStdout;
      process.stderr.write = originalStderr;
    }
    expect(errors).toHaveLength(4);
    for (const error of errors) {
      expect(error).toBeInstanceOf(Error);
      expectClean((error as Error).message);
      expectClean(inspect(error, { depth: 10 }));
      expectClean(String((error as Error).stack));
    }
    expect((errors[1] as Error).message).toContain('http://***@127.0.0.1:1/remote.git');
    expect(logs.length).toBeGreaterThan(0);
    expectClean(logs.join('\n'));
    expectClean(printed.join(''));
  });
});
