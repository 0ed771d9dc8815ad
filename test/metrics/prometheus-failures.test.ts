/**
 * How the Prometheus source behaves when things go wrong: the failures come from a real
 * Prometheus behind a proxy that injects them, or from a port where nothing listens.
 */
import { waitFor } from '../support/wait.js';
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, exitCodeFor, SourceUnreachableError } from '../../src/errors.js';
import { PrometheusHistorySource } from '../../src/metrics/prometheus/source.js';
import type { HistoryQuery } from '../../src/metrics/types.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import {
  pointsOf,
  prometheusError,
  startFailureProxy,
  type FailureProxy,
  type Rule,
} from './failure-proxy.js';
import { deploymentPods, fixtureText, STEP, T0 } from './history-fixture.js';

const SAMPLES = 288;
const TOKEN = 'tok-s3cret-value';
const query: HistoryQuery = {
  namespaces: ['shop'],
  start: T0,
  end: T0 + (SAMPLES - 1) * STEP,
  stepSeconds: STEP,
};
const fast = { baseDelayMs: 5, maxDelayMs: 20 };

let prometheus: RunningPrometheus;
let proxy: FailureProxy | undefined;

beforeAll(async () => {
  const text = fixtureText({ containers: deploymentPods('shop', 'web', 4), samples: SAMPLES });
  prometheus = await startPrometheus({ openMetrics: [text] });
});
afterAll(async () => {
  await prometheus?.stop();
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

async function through(rule: Rule): Promise<string> {
  proxy = await startFailureProxy(prometheus.url, rule);
  return proxy.url;
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        resolve(typeof address === 'object' && address !== null ? address.port : 0),
      );
    });
  });
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

describe('Prometheus down', () => {
  it('fails at once with SourceUnreachableError naming the URL and the reason, token hidden', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const source = PrometheusHistorySource.fromConfig({ url, bearerToken: TOKEN });
    const started = Date.now();
    const error = await failure(source.fetch(query));
    expect(Date.now() - started).toBeLessThan(2_000); // no retries for a refused connection
    expect(error).toBeInstanceOf(SourceUnreachableError);
    expect(error.message).toContain(url);
    expect(error.message).toContain('connection refused');
    expect(error.message).not.toContain(TOKEN);
    expect(exitCodeFor(error)).toBe(ExitCode.unreachable);
  });

  it('reports an unknown host as unreachable', async () => {
    const source = PrometheusHistorySource.fromConfig(
      { url: 'http://prometheus.tars-test.invalid:9090' },
      { ...fast, attempts: 2 },
    );
    const error = await failure(source.fetch(query));
    expect(error).toBeInstanceOf(SourceUnreachableError);
    expect(error.message).toContain('prometheus.tars-test.invalid');
    // ENOTFOUND where a resolver answers; EAI_AGAIN (retried, then given up) where none does.
    expect(error.message).toMatch(/not found \(ENOTFOUND\)|EAI_AGAIN/);
  });

  it('never shows URL credentials', async () => {
    const url = `http://admin:hunter2@127.0.0.1:${await closedPort()}`;
    const source = PrometheusHistorySource.fromConfig({ url });
    const error = await failure(source.fetch(query));
    expect(source.describe()).not.toContain('hunter2');
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain('admin');
  });
});

describe('a window too large for the server', () => {
  it('splits on 422 "too many samples" until the halves fit, with the same result', async () => {
    const limit = 100;
    const url = await through((r) =>
      r.path.endsWith('/query_range') && pointsOf(r.form) > limit
        ? {
            status: 422,
            body: prometheusError(
              'execution',
              'query processing would load too many samples into memory in query execution',
            ),
          }
        : undefined,
    );
    const direct = await PrometheusHistorySource.fromConfig({ url: prometheus.url }).fetch(query);
    const before = await prometheus.queryCount();
    const split = await PrometheusHistorySource.fromConfig({ url }).fetch(query);
    expect(split).toEqual({ ...direct, source: split.source });
    const answered = proxy!.log.filter((l) => !l.injected);
    expect(answered.every((l) => pointsOf(l.request.form) <= limit)).toBe(true);
    // 288 steps → 144 → 72: per signal one refusal, two refusals, four answers.
    expect(proxy!.log.filter((l) => l.injected)).toHaveLength(5 * 3);
    expect((await prometheus.queryCount()) - before).toBe(5 * 4);
  });

  it('splits when the real Prometheus refuses more than 11,000 points per series', async () => {
    const fine = { ...query, end: query.start + 4 * 3600, stepSeconds: 1 }; // 14,401 steps
    const source = PrometheusHistorySource.fromConfig(
      { url: prometheus.url },
      { maxPointsPerSeries: 20_000 },
    );
    const messages: string[] = [];
    const history = await source.fetch(fine, (m) => messages.push(m));
    expect(messages.some((m) => m.includes('exceeded maximum resolution'))).toBe(true);
    const memory = history.containers[0]?.memory ?? [];
    expect(memory).toHaveLength(14_401);
    expect(memory.every((s, i) => s.t === fine.start + i)).toBe(true);
  });

  it('splits on "exceeded maximum resolution" too, and gives up on a single step', async () => {
    const url = await through((r) =>
      r.path.endsWith('/query_range')
        ? {
            status: 400,
            body: prometheusError(
              'bad_data',
              'exceeded maximum resolution of 11,000 points per timeseries',
            ),
          }
        : undefined,
    );
    const source = PrometheusHistorySource.fromConfig({ url }, { maxPointsPerSeries: 4 });
    const error = await failure(source.fetch(query));
    expect(error.message).toContain('even for 1 step');
  });
});

describe('transient failures', () => {
  it('retries 5xx answers with backoff and then succeeds', async () => {
    const url = await through((r) =>
      r.n <= 3 ? { status: 503, body: prometheusError('unavailable', 'overloaded') } : undefined,
    );
    const direct = await PrometheusHistorySource.fromConfig({ url: prometheus.url }).fetch(query);
    const retried = await PrometheusHistorySource.fromConfig({ url }, fast).fetch(query);
    expect(retried.containers).toEqual(direct.containers);
    expect(proxy!.log.filter((l) => l.status === 503)).toHaveLength(3);
  });

  it('retries a request that times out', async () => {
    const url = await through((r) =>
      r.n === 1 ? { status: 200, body: '{}', delayMs: 1_500 } : undefined,
    );
    const history = await PrometheusHistorySource.fromConfig(
      { url },
      { ...fast, timeoutMs: 300 },
    ).fetch(query);
    expect(history.containers).toHaveLength(4);
  });

  it('gives up the other queries in flight, and starts no more, once one fails for good', async () => {
    // The first query is refused (no retry fixes a 401); the others hang for ten minutes, longer
    // than this test's wait, as a stuck Prometheus would.
    const url = await through((r) =>
      r.n === 1
        ? { status: 401, body: 'unauthorized', delayMs: 300 }
        : { status: 200, body: '{}', delayMs: 600_000 },
    );
    const error = await failure(
      PrometheusHistorySource.fromConfig({ url }, { ...fast, timeoutMs: 600_000 }).fetch(query),
    );
    expect(error).toBeInstanceOf(SourceUnreachableError);
    await waitFor('the hanging queries to be given up', () =>
      Promise.resolve(proxy!.open() === 0 ? true : undefined),
    );
    // Two at a time (the default concurrency): the refused one and one sibling, no more.
    expect(proxy!.log.length + proxy!.open()).toBeLessThanOrEqual(2);
  });

  it('gives up after the bounded number of attempts with SourceUnreachableError', async () => {
    const url = await through(() => ({ status: 502, body: '<html>bad gateway</html>' }));
    const error = await failure(
      PrometheusHistorySource.fromConfig({ url }, { ...fast, attempts: 3 }).fetch(query),
    );
    expect(error).toBeInstanceOf(SourceUnreachableError);
    expect(error.message).toMatch(/HTTP 502.*3 attempts/);
    expect(proxy!.log.length).toBeLessThanOrEqual(5 * 3);
  });
});

describe('authentication and headers', () => {
  const rule: Rule = (r) =>
    r.headers.authorization === `Bearer ${TOKEN}` && r.headers['x-scope-orgid'] === 'team-a'
      ? undefined
      : { status: 401, body: 'unauthorized' };

  it('sends the bearer token and extra headers', async () => {
    const url = await through(rule);
    const history = await PrometheusHistorySource.fromConfig({
      url,
      bearerToken: TOKEN,
      headers: { 'X-Scope-OrgID': 'team-a' },
    }).fetch(query);
    expect(history.containers).toHaveLength(4);
  });

  it('reports a refused token without showing it', async () => {
    const url = await through(rule);
    const error = await failure(
      PrometheusHistorySource.fromConfig({
        url,
        bearerToken: 'wrong-token-value',
        headers: { 'X-Scope-OrgID': 'team-a' },
      }).fetch(query),
    );
    expect(error).toBeInstanceOf(SourceUnreachableError);
    expect(error.message).toContain('401');
    expect(error.message).not.toContain('wrong-token-value');
  });
});

describe('answers that are not the Prometheus API', () => {
  it('rejects a body that fails the envelope schema', async () => {
    const url = await through(() => ({ status: 200, body: JSON.stringify({ hello: 'world' }) }));
    const error = await failure(PrometheusHistorySource.fromConfig({ url }).fetch(query));
    expect(error).toBeInstanceOf(SourceUnreachableError);
    expect(error.message).toContain('not a Prometheus API response');
  });

  it('rejects a matrix with malformed samples', async () => {
    const url = await through(() => ({
      status: 200,
      body: JSON.stringify({
        status: 'success',
        data: { resultType: 'matrix', result: [{ metric: {}, values: [['x', 1]] }] },
      }),
    }));
    const error = await failure(PrometheusHistorySource.fromConfig({ url }).fetch(query));
    expect(error).toBeInstanceOf(SourceUnreachableError);
    expect(error.message).toContain('not a matrix');
  });
});
