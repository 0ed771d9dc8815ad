/**
 * `tars run` as the long-running loop, the built binary in a child process against a real bare
 * repository: a pass with Prometheus down delivers what needs no usage and /metrics says so;
 * SIGTERM lets the pass in flight finish and ends the loop cleanly; bad --port and --interval
 * values are refused before anything runs.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createRemote, type RemoteFixture } from '../gitops/git-fixtures.js';
import { deploymentPods, fixtureText } from '../metrics/history-fixture.js';
import { tarsAsync } from '../metrics/run-tars-async.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { REPO_ROOT } from './run-tars.js';
import { waitFor } from '../support/wait.js';

const BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const EXAMPLE = join(REPO_ROOT, 'examples', 'online-boutique');
const TAKEOVER = 'tars/online-boutique/takeover';

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `tars-${prefix}-`));
}

/** The example's objects without its usage history: the history comes from --prometheus. */
function snapshotWithoutHistory(): string {
  const dir = tempDir('loop-snap');
  cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !src.includes('history') });
  return dir;
}

function policies(): string {
  const dir = tempDir('loop-policies');
  writeFileSync(
    join(dir, 'policy.yaml'),
    'apiVersion: tars.dev/v1alpha1\nkind: Policy\nmetadata:\n  name: test\nspec:\n  rollout:\n    phase: 3\n    waveSize: 3\n',
  );
  return dir;
}

/** A port nothing listens on (bound, read, released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Loop {
  readonly child: ChildProcess;
  readonly port: number;
  stdout: string;
  stderr: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startLoop(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Loop> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'run', '--port', String(port), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const loop: Loop = { child, port, stdout: '', stderr: '', exited };
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (loop.stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (loop.stderr += d));
  running.push(loop);
  return loop;
}

const running: Loop[] = [];
afterEach(() => {
  for (const loop of running.splice(0)) loop.child.kill('SIGKILL');
});

async function scrape(loop: Loop): Promise<string> {
  return (await fetch(`http://127.0.0.1:${loop.port}/metrics`)).text();
}

/** The value of one sample line of a scrape, e.g. `tars_runs_total{outcome="success"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

function passes(text: string): number {
  return ['success', 'degraded', 'failure']
    .map((o) => sample(text, `tars_runs_total{outcome="${o}"}`) ?? 0)
    .reduce((a, b) => a + b, 0);
}

/** `promtool check metrics`: the scrape is valid Prometheus text exposition. */
async function promtoolCheck(text: string): Promise<void> {
  const child = promisify(execFile)('promtool', ['check', 'metrics']);
  child.child.stdin?.end(text);
  await child;
}

describe('tars run (the loop)', () => {
  let remote: RemoteFixture;
  let prometheus: RunningPrometheus | undefined;
  let holding: Server | undefined;
  afterEach(async () => {
    holding?.closeAllConnections();
    holding?.close();
    holding = undefined;
    await prometheus?.stop();
    prometheus = undefined;
  });

  it('a pass with Prometheus down delivers what needs no usage and /metrics shows it degraded', async () => {
    remote = createRemote();
    const down = `http://127.0.0.1:${await freePort()}`;
    const loop = await startLoop(
      [
        '--snapshot',
        snapshotWithoutHistory(),
        '--prometheus',
        down,
        '--repo',
        remote.bare,
        '--policies',
        policies(),
        // Longer than a Node timer holds (24.8 days): one pass, then a wait, not a busy loop.
        '--interval',
        '30d',
        '--quiet',
      ],
      remote.env,
    );
    const text = await waitFor('the first pass', async () => {
      const scraped = await scrape(loop);
      return passes(scraped) > 0 ? scraped : undefined;
    });
    expect(sample(text, 'tars_runs_total{outcome="degraded"}'), loop.stderr).toBe(1);
    expect(sample(text, 'tars_runs_total{outcome="success"}')).toBe(0);
    expect(sample(text, 'tars_runs_total{outcome="failure"}')).toBe(0);
    // Not a success: an alert on the last success fires while right-sizing cannot run.
    expect(sample(text, 'tars_last_success_timestamp_seconds')).toBe(0);
    expect(sample(text, 'tars_proposal_status{concern="takeover",status="created"}')).toBe(1);
    await promtoolCheck(text);
    expect(remote.sha(TAKEOVER)).toBeDefined();
    expect(loop.stderr).toContain(`tars: pass degraded: Prometheus ${down} is unreachable: `);
    // The dashboard shows the pass's plan, and that Prometheus could not be read for it.
    const model = (await (await fetch(`http://127.0.0.1:${loop.port}/api/model`)).json()) as {
      cluster: { name: string };
      workloads: { ref: { namespace: string; name: string } }[];
    };
    expect(model.cluster.name).toBe('online-boutique');
    const page = await (await fetch(`http://127.0.0.1:${loop.port}/`)).text();
    expect(page).toContain('<h1>online-boutique</h1>');
    for (const w of model.workloads)
      expect(page).toContain(`data-workload="${w.ref.namespace}/${w.ref.name}"`);
    expect(page).toContain(`Prometheus ${down} is unreachable`);

    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(passes(await scrape(loop))).toBe(1);
    loop.child.kill('SIGTERM');
    expect(await loop.exited).toEqual({ code: 0, signal: null });
  });

  it('SIGTERM during a pass: the pass finishes, its clone is cleaned up, exit 0', async () => {
    remote = createRemote();
    const pods = ['frontend', 'cartservice'].flatMap((app) =>
      deploymentPods('boutique', app, 1, 'server'),
    );
    prometheus = await startPrometheus({
      openMetrics: [fixtureText({ containers: pods, samples: 24 })],
    });
    // Holds Prometheus's answers until the test lets them through: a pass in flight.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let asked = false;
    const upstream = prometheus.url;
    holding = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        asked = true;
        void released
          .then(() =>
            fetch(`${upstream}${req.url ?? '/'}`, {
              method: req.method ?? 'GET',
              headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
              ...(req.method === 'POST' ? { body: Buffer.concat(chunks).toString() } : {}),
            }),
          )
          .then(async (answer) => {
            res.writeHead(answer.status, { 'Content-Type': 'application/json' });
            res.end(await answer.text());
          });
      });
    });
    await new Promise<void>((resolve) => holding!.listen(0, '127.0.0.1', resolve));
    const proxy = `http://127.0.0.1:${(holding.address() as AddressInfo).port}`;
    const scratch = tempDir('loop-tmp');

    const loop = await startLoop(
      [
        '--snapshot',
        snapshotWithoutHistory(),
        '--prometheus',
        proxy,
        '--history',
        '1d',
        '--repo',
        remote.bare,
        '--policies',
        policies(),
        '--interval',
        '1h',
        '--output',
        'json',
      ],
      { ...remote.env, TMPDIR: scratch },
    );
    await waitFor('the pass to ask Prometheus', () => Promise.resolve(asked || undefined));
    loop.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    release();

    expect(await loop.exited, loop.stderr).toEqual({ code: 0, signal: null });
    expect(loop.stderr).toContain('SIGTERM: stopping after the pass in flight');
    const results = JSON.parse(loop.stdout) as { concern: string; status: string }[];
    expect(results.find((r) => r.concern === 'takeover')?.status).toBe('created');
    expect(remote.sha(TAKEOVER)).toBeDefined();
    expect(remote.log(`main..${TAKEOVER}`)).toHaveLength(1);
    expect(readdirSync(scratch).filter((f) => f.startsWith('tars-'))).toEqual([]);
    await expect(fetch(`http://127.0.0.1:${loop.port}/healthz`)).rejects.toThrow();
  });

  it('refuses a --port or --interval it cannot use before any pass', async () => {
    remote = createRemote();
    const common = ['run', '--snapshot', EXAMPLE, '--repo', remote.bare, '--quiet'];
    const badPort = await tarsAsync([...common, '--port', 'abc'], remote.env, 20_000);
    expect(badPort.code, badPort.stderr).toBe(2);
    expect(badPort.stderr).toBe('tars: --port "abc" is not a port number (0 to 65535)\n');
    const zero = await tarsAsync([...common, '--interval', '0s'], remote.env, 20_000);
    expect(zero.code, zero.stderr).toBe(2);
    expect(zero.stderr).toBe('tars: --interval "0s" must be longer than 0s\n');
    expect(remote.sha(TAKEOVER)).toBeUndefined();
  });
});
