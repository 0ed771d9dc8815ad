/**
 * Prometheus credentials from the command line: `--prometheus-token-file`, `$TARS_PROMETHEUS_TOKEN`
 * and `--prometheus-header`, checked where they matter: at a proxy in front of a real Prometheus
 * that refuses (401) every request without them, for `tars plan` and `tars snapshot` alike.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatOpenMetrics } from '../../src/metrics/openmetrics/write.js';
import { SERIES } from '../../src/metrics/queries.js';
import { REPO_ROOT, type TarsRun } from '../cli/run-tars.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { startFailureProxy, type FailureProxy, type Rule } from './failure-proxy.js';
import { snapshotArgs, tarsAsync } from './run-tars-async.js';

const TOKEN = 'tok-0f1e2d3c-s3cret';
const TENANT = 'team-a';
const EXAMPLE = join(REPO_ROOT, 'examples', 'online-boutique');

/** The last hour of one container's working set, scraped every minute, ending now. */
function recentHistory(): string {
  const end = Math.floor(Date.now() / 1000 / 300) * 300;
  return formatOpenMetrics([
    {
      name: SERIES.memory,
      type: 'gauge',
      series: [
        {
          name: SERIES.memory,
          labels: { namespace: 'auth-test', pod: 'web-0', container: 'app' },
          samples: Array.from({ length: 60 }, (_, i) => ({ t: end - 3600 + i * 60, v: 1e8 + i })),
        },
      ],
    },
  ]);
}

/** Mimir-like: the tenant header and the bearer token on every request, else 401. */
const mimir: Rule = (r) =>
  r.headers.authorization === `Bearer ${TOKEN}` &&
  r.headers['x-scope-orgid'] === TENANT &&
  r.headers['x-extra'] === 'yes, with spaces'
    ? undefined
    : { status: 401, body: 'unauthorized' };

let prometheus: RunningPrometheus;
let proxy: FailureProxy | undefined;

beforeAll(async () => {
  prometheus = await startPrometheus({ openMetrics: [recentHistory()] });
});
afterAll(async () => {
  await prometheus?.stop();
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `tars-${prefix}-`));
}

/** A token file as `kubectl create secret` mounts it, or as `echo` writes it (newline). */
function tokenFile(token: string): string {
  const file = join(tempDir('token'), 'token');
  writeFileSync(file, `${token}\n`);
  return file;
}

function snapshotWithoutHistory(): string {
  const dir = tempDir('auth-snap');
  for (const file of ['cluster.yaml', 'namespaces.yaml', 'deployments.yaml']) {
    writeFileSync(join(dir, file), readFileSync(join(EXAMPLE, file), 'utf8'));
  }
  return dir;
}

const headers = [
  '--prometheus-header',
  `X-Scope-OrgID: ${TENANT}`,
  '--prometheus-header',
  'X-Extra:yes, with spaces',
];

/** `--prometheus-token-file` with a file holding `token`, and every header Mimir wants. */
function credentials(token: string): string[] {
  return ['--prometheus-token-file', tokenFile(token), ...headers];
}

/** The token in `$TARS_PROMETHEUS_TOKEN`. */
const TOKEN_ENV = { TARS_PROMETHEUS_TOKEN: TOKEN };
/** No `$TARS_PROMETHEUS_TOKEN`, not even one this process was given. */
const NO_TOKEN_ENV = { TARS_PROMETHEUS_TOKEN: undefined };

/** `tars plan` of a snapshot without history, reading usage from `url` with `flags`. */
function planWithPrometheus(
  url: string,
  flags: readonly string[],
  out: string,
  env: Record<string, string | undefined> = {},
): Promise<TarsRun> {
  return tarsAsync(
    ['plan', '--snapshot', snapshotWithoutHistory(), '--prometheus', url, ...flags, '--out', out],
    env,
  );
}

/** The run succeeded and every request it made through `p` was let through, none refused. */
function succeededAuthorized(run: TarsRun, p: FailureProxy): void {
  expect(run.code, run.stderr).toBe(0);
  expect(p.log.length).toBeGreaterThanOrEqual(5); // one range query per signal at least
  expect(p.log.filter((l) => l.injected)).toEqual([]);
}

describe('tars plan with Prometheus credentials', () => {
  it('sends the token of --prometheus-token-file and every --prometheus-header', async () => {
    proxy = await startFailureProxy(prometheus.url, mimir);
    const flags = [...credentials(TOKEN), '--quiet'];
    const run = await planWithPrometheus(proxy.url, flags, tempDir('auth-out'), NO_TOKEN_ENV);
    succeededAuthorized(run, proxy);
    expect(run.stdout).not.toContain('No usage history');
  });

  it('still takes the token from TARS_PROMETHEUS_TOKEN', async () => {
    proxy = await startFailureProxy(prometheus.url, mimir);
    const flags = [...headers, '--quiet'];
    const run = await planWithPrometheus(proxy.url, flags, tempDir('auth-out'), TOKEN_ENV);
    succeededAuthorized(run, proxy);
  });

  it('never prints a token Prometheus refuses', async () => {
    proxy = await startFailureProxy(prometheus.url, mimir);
    const wrong = 'wrong-tok-77c1-s3cret';
    const flags = credentials(wrong);
    const run = await planWithPrometheus(proxy.url, flags, tempDir('auth-out'), NO_TOKEN_ENV);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('refused the request with HTTP 401');
    expect(proxy.log.every((l) => l.request.headers.authorization === `Bearer ${wrong}`)).toBe(
      true,
    );
    for (const text of [run.stdout, run.stderr]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain('with spaces');
    }
  });

  it('a token file that cannot be read: exit 2, names flag and file, writes nothing', async () => {
    const missing = join(tempDir('token'), 'absent');
    const out = join(tempDir('auth-out'), 'out');
    const run = await planWithPrometheus(prometheus.url, ['--prometheus-token-file', missing], out);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`tars: --prometheus-token-file: cannot read ${missing} (ENOENT)\n`);
    expect(existsSync(out)).toBe(false);
  });
});

describe('tars snapshot with Prometheus credentials', () => {
  it('reads the history with the same token and headers as tars plan', async () => {
    proxy = await startFailureProxy(prometheus.url, mimir);
    const out = join(tempDir('auth-bundle'), 'bundle');
    const run = await tarsAsync(
      snapshotArgs(out, proxy.url, '2h', credentials(TOKEN)),
      NO_TOKEN_ENV,
    );
    succeededAuthorized(run, proxy);
    const history = readFileSync(join(out, 'history', 'usage.om'), 'utf8');
    expect(history).toMatch(/^container_memory_working_set_bytes\{.*namespace="auth-test"/m);
  });

  it('takes TARS_PROMETHEUS_TOKEN too, as tars plan always did', async () => {
    proxy = await startFailureProxy(prometheus.url, (r) =>
      r.headers.authorization === `Bearer ${TOKEN}` ? undefined : { status: 401, body: 'no' },
    );
    const out = join(tempDir('auth-bundle'), 'bundle');
    const run = await tarsAsync(snapshotArgs(out, proxy.url, '2h'), TOKEN_ENV);
    succeededAuthorized(run, proxy);
  });
});
