/**
 * A usage-history source that fails does not stop a plan: the plan is written without usage
 * data, its summary says which source failed and why in one line, and `tars plan` exits 3 after
 * writing, as for an unreachable Prometheus (test/cli/plan.test.ts). The failures are real
 * answers: a real Prometheus rejecting a query or refusing it as too large, and the real test
 * API server behind a proxy whose discovery lists metrics.k8s.io (as a cluster with
 * metrics-server installed does) while metrics-server is down or gone.
 *
 * Why a proxy and not an APIService pointing at nothing: the API server is shared by the tests
 * running in parallel, and an APIService would change discovery (and the metrics.k8s.io answers)
 * for all of them.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatOpenMetrics } from '../../src/metrics/openmetrics/write.js';
import { SERIES } from '../../src/metrics/queries.js';
import { readTree, REPO_ROOT, type TarsRun } from '../cli/run-tars.js';
import { kubeConfigFrom, testKubeconfigs } from '../support/cluster.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { startFaultProxy, type FaultProxy } from '../live/fault-proxy.js';
import { startFailureProxy, type FailureProxy, type Rule } from './failure-proxy.js';
import { snapshotArgs, tarsAsync } from './run-tars-async.js';

const EXAMPLE = join(REPO_ROOT, 'examples', 'online-boutique');
const MAX_SAMPLES = 5;

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `tars-${prefix}-`));
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

function snapshotWithoutHistory(): string {
  const dir = tempDir('hf-snap');
  for (const file of ['cluster.yaml', 'namespaces.yaml', 'deployments.yaml', 'services.yaml']) {
    writeFileSync(join(dir, file), readFileSync(join(EXAMPLE, file), 'utf8'));
  }
  return dir;
}

/** The last two hours of the example's containers, scraped every minute. */
function recentHistory(): string {
  const end = Math.floor(Date.now() / 1000 / 300) * 300;
  const times = Array.from({ length: 120 }, (_, i) => end - 7200 + (i + 1) * 60);
  const labels = ['frontend', 'cartservice', 'checkoutservice'].map((app) => ({
    namespace: 'boutique',
    pod: `${app}-7d9c5b8f6d-q2wxz`,
    container: 'server',
  }));
  return formatOpenMetrics([
    {
      name: SERIES.memory,
      type: 'gauge',
      series: labels.map((l) => ({
        name: SERIES.memory,
        labels: l,
        samples: times.map((t) => ({ t, v: 2e8 })),
      })),
    },
    {
      name: SERIES.cpu,
      type: 'counter',
      series: labels.map((l) => ({
        name: SERIES.cpu,
        labels: l,
        samples: times.map((t, i) => ({ t, v: 6 * i })),
      })),
    },
  ]);
}

/** What every test here expects of the run: written, one line on stderr, exit 3. */
function plannedWithoutHistory(run: TarsRun, out: string, note: RegExp): void {
  expect(run.code, run.stderr).toBe(3);
  const summaryNote = lines(run.stdout).filter((l) => l.includes('No usage history'));
  expect(summaryNote).toHaveLength(1);
  expect(summaryNote[0]).toMatch(note);
  expect(lines(run.stderr)).toHaveLength(1);
  expect(run.stderr).toMatch(/^tars: /);
  expect(run.stderr).not.toMatch(/\n\s+at |unexpected error/);
  expect([...readTree(out).keys()].some((f) => f.endsWith('.yaml'))).toBe(true);
}

/** `tars plan` of a snapshot without history, its usage read from the Prometheus at `url`. */
function planWithPrometheus(url: string, out: string, ...flags: string[]): Promise<TarsRun> {
  return tarsAsync([
    'plan',
    '--snapshot',
    snapshotWithoutHistory(),
    '--prometheus',
    url,
    ...flags,
    '--out',
    out,
    '--quiet',
  ]);
}

/** `tars plan` of the live cluster behind `kubeconfig`, usage read from its metrics.k8s.io. */
function planLive(kubeconfig: string, out: string): Promise<TarsRun> {
  return tarsAsync(['plan', '--kubeconfig', kubeconfig, '--out', out, '--quiet']);
}

/** The one stderr line of a run whose query the Prometheus at `url` rejected (400). */
function rejectedQueryError(url: string): RegExp {
  return new RegExp(`^tars: Prometheus ${url} is unreachable: rejected a query \\(HTTP 400\\)`);
}

/** The proxy breaks the PromQL of every range query; Prometheus itself rejects it (400). */
const breakQueries: Rule = (r) => {
  if (!r.path.endsWith('/query_range')) return undefined;
  const forward = new URLSearchParams(r.form);
  forward.set('query', `${r.form.get('query') ?? ''})`);
  return { forward };
};

describe('Prometheus answers, but not with usage data', () => {
  let prometheus: RunningPrometheus;
  let proxy: FailureProxy | undefined;

  beforeAll(async () => {
    // A real limit, as operators set one: a query loading more samples at once is refused.
    prometheus = await startPrometheus({
      openMetrics: [recentHistory()],
      extraArgs: [`--query.max-samples=${MAX_SAMPLES}`],
    });
  });
  afterAll(async () => {
    await prometheus?.stop();
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  it('rejects our query (400 bad_data): the plan is written, says why, exits 3', async () => {
    proxy = await startFailureProxy(prometheus.url, breakQueries);
    const out = tempDir('hf-out');
    const run = await planWithPrometheus(proxy.url, out);
    expect(proxy.log.some((l) => l.status === 400)).toBe(true);
    plannedWithoutHistory(
      run,
      out,
      new RegExp(
        `^note: No usage history: Prometheus ${proxy.url} is unreachable: rejected a query \\(HTTP 400\\) bad_data: .*parse error.*\\. Planned everything that needs none\\.$`,
      ),
    );
    expect(run.stderr).toMatch(rejectedQueryError(proxy.url));
  });

  it('tars snapshot, whose point is the history: a rejected query ends it, exit 3, one line', async () => {
    proxy = await startFailureProxy(prometheus.url, breakQueries);
    const out = join(tempDir('hf-bundle'), 'bundle');
    const run = await tarsAsync(snapshotArgs(out, proxy.url, '2h'));
    expect(run.code).toBe(3);
    expect(lines(run.stderr)).toEqual([expect.stringMatching(rejectedQueryError(proxy.url))]);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses the query as too large even split to one step: written, says why, exits 3', async () => {
    const out = tempDir('hf-out');
    const run = await planWithPrometheus(prometheus.url, out, '--history', '1d');
    plannedWithoutHistory(
      run,
      out,
      new RegExp(
        `^note: No usage history: Prometheus ${prometheus.url} is unreachable: refuses the query even for 1 step\\(s\\) of 300s: .*too many samples`,
      ),
    );
  });
});

/** Discovery of the real server through `proxy`, with the group metrics-server's APIService adds. */
async function listMetricsApi(proxy: FaultProxy): Promise<void> {
  const kc = kubeConfigFrom(proxy.kubeconfig);
  const response = await fetch(`${kc.getCurrentCluster()!.server}/apis`, {
    headers: { Authorization: `Bearer ${kc.getCurrentUser()!.token}` },
  });
  const apis = (await response.json()) as { groups: unknown[] };
  const version = { groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' };
  apis.groups.push({ name: 'metrics.k8s.io', versions: [version], preferredVersion: version });
  proxy.inject({
    match: (url) => url.pathname === '/apis',
    status: 200,
    body: apis,
    times: Infinity,
  });
}

/**
 * A fault proxy in front of the test API server whose discovery lists metrics.k8s.io, started
 * before and closed after the tests of the enclosing describe; the result returns it.
 */
function proxyListingMetricsApi(): () => FaultProxy {
  let proxy: FaultProxy | undefined;
  beforeAll(async () => {
    proxy = await startFaultProxy(testKubeconfigs().readonly);
    await listMetricsApi(proxy);
  });
  afterAll(async () => {
    await proxy?.close();
  });
  return () => {
    if (proxy === undefined) throw new Error('the fault proxy is not started');
    return proxy;
  };
}

describe('metrics.k8s.io listed by discovery, but failing', () => {
  const proxy = proxyListingMetricsApi();

  const metricsRequests = (): number =>
    proxy().seen.filter((s) => s.url.pathname.startsWith('/apis/metrics.k8s.io/')).length;

  it('metrics-server down (503): the plan is written, says why, exits 3', async () => {
    const before = metricsRequests();
    // What the aggregator answers while the APIService's backend is unavailable.
    proxy().inject({
      match: (url) => url.pathname.startsWith('/apis/metrics.k8s.io/'),
      status: 503,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'service unavailable',
        reason: 'ServiceUnavailable',
        code: 503,
      },
      times: Infinity,
    });
    const out = tempDir('hf-out');
    const run = await planLive(proxy().kubeconfig, out);
    expect(metricsRequests()).toBeGreaterThan(before);
    const server = kubeConfigFrom(proxy().kubeconfig).getCurrentCluster()!.server;
    plannedWithoutHistory(
      run,
      out,
      new RegExp(
        `^note: No usage history: metrics\\.k8s\\.io at ${server} is unreachable: HTTP 503\\.`,
      ),
    );
  });
});

describe('metrics.k8s.io listed by discovery, but not served', () => {
  const proxy = proxyListingMetricsApi();

  it('metrics-server removed since discovery (the real 404): written, says why, exits 3', async () => {
    const out = tempDir('hf-out');
    const run = await planLive(proxy().kubeconfig, out);
    plannedWithoutHistory(
      run,
      out,
      /^note: No usage history: metrics\.k8s\.io at .* is unreachable: metrics\.k8s\.io\/v1beta1 is not served by .* \(is metrics-server installed\?\)\./,
    );
  });
});
