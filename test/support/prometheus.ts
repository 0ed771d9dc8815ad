/**
 * A real Prometheus for tests and benchmarks: the given OpenMetrics history is backfilled with
 * `promtool tsdb create-blocks-from openmetrics`, then `prometheus` serves it on a free local
 * port. Needs the `prometheus` binaries on PATH (Debian: `apt-get install prometheus`).
 *
 * Old history works as is: time-based retention counts from the newest block, not from the wall
 * clock, and `--storage.tsdb.retention.time=100y` keeps even a long history. Backfilled blocks
 * may overlap (one per input file); Prometheus ≥ 2.39 merges overlapping blocks at query time
 * and compacts them. Nothing is scraped (the config has no scrape jobs), so the head block
 * stays empty and never conflicts with the backfilled data.
 *
 * Query inside the history: an instant query (or a range step) finds a gauge only within the
 * 5-minute lookback after its last sample, and `rate()` needs two samples inside its range.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface StartPrometheusOptions {
  /** OpenMetrics inputs: file paths, or the text itself (anything containing a newline). */
  readonly openMetrics: readonly string[];
  /** Working directory (TSDB, config, log). A temporary one, removed on stop, when absent. */
  readonly dir?: string;
  /** Extra `prometheus` flags, e.g. `--query.max-samples=1000`. */
  readonly extraArgs?: readonly string[];
}

export interface RunningPrometheus {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Stops the server and waits until the process is gone. Idempotent. */
  stop(): Promise<void>;
  /**
   * How many `/api/v1/query` and `/api/v1/query_range` requests Prometheus has answered so far
   * (any status code), read from its own `prometheus_http_requests_total`.
   */
  queryCount(): Promise<number>;
}

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const START_ATTEMPTS = 3;

export async function startPrometheus(options: StartPrometheusOptions): Promise<RunningPrometheus> {
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'tars-prometheus-')));
  await mkdir(dir, { recursive: true });
  const tsdb = join(dir, 'tsdb');
  await mkdir(tsdb, { recursive: true });
  await backfill(options.openMetrics, dir, tsdb);
  const config = join(dir, 'prometheus.yml');
  // No scrape jobs: the server only answers queries over the backfilled blocks.
  await writeFile(config, 'global:\n  scrape_interval: 1h\n');

  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    const port = await freePort();
    try {
      const child = await launch({ dir, tsdb, config, port, extraArgs: options.extraArgs ?? [] });
      return running(child, port, dir, ownsDir);
    } catch (e) {
      lastError = e; // most likely the port was taken between probing and binding: try another
    }
  }
  if (ownsDir) await rm(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

async function backfill(inputs: readonly string[], dir: string, tsdb: string): Promise<void> {
  for (const [index, input] of inputs.entries()) {
    const file = await inputFile(input, dir, index);
    try {
      await promtoolBackfill(file, tsdb);
    } catch (e) {
      const stderr = (e as { stderr?: string }).stderr ?? '';
      throw new Error(`promtool could not backfill ${file}: ${stderr.trim() || String(e)}`, {
        cause: e,
      });
    }
  }
}

/**
 * promtool cuts 2-hour blocks by default, about 75 ms each: two weeks of history would take
 * over ten seconds. The (hidden) `--max-block-duration` flag writes one block per 30 days.
 */
async function promtoolBackfill(file: string, tsdb: string): Promise<void> {
  const args = ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, tsdb];
  try {
    await execFileAsync(
      'promtool',
      [...args.slice(0, 3), '--max-block-duration=720h', ...args.slice(3)],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
  } catch (e) {
    const stderr = (e as { stderr?: string }).stderr ?? '';
    if (!stderr.includes('max-block-duration')) throw e;
    await execFileAsync('promtool', args, { maxBuffer: 64 * 1024 * 1024 });
  }
}

/** A path is used as is; a text is written to a file, with the `# EOF` promtool requires. */
async function inputFile(input: string, dir: string, index: number): Promise<string> {
  if (!input.includes('\n') && existsSync(input)) return input;
  if (!input.includes('\n'))
    throw new Error(`OpenMetrics input ${input} is neither a file nor text`);
  const text = /^# EOF\s*$/m.test(input) ? input : `${input.trimEnd()}\n# EOF\n`;
  const file = join(dir, `input-${index}.om`);
  await writeFile(file, text);
  return file;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface LaunchArgs {
  readonly dir: string;
  readonly tsdb: string;
  readonly config: string;
  readonly port: number;
  readonly extraArgs: readonly string[];
}

async function launch(args: LaunchArgs): Promise<ChildProcess> {
  const logFile = join(args.dir, `prometheus-${args.port}.log`);
  const log = await open(logFile, 'w');
  const child = spawn(
    'prometheus',
    [
      `--storage.tsdb.path=${args.tsdb}`,
      `--web.listen-address=127.0.0.1:${args.port}`,
      `--config.file=${args.config}`,
      '--storage.tsdb.retention.time=100y',
      ...args.extraArgs,
    ],
    { stdio: ['ignore', log.fd, log.fd] },
  );
  await log.close();
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  try {
    await waitReady(child, `http://127.0.0.1:${args.port}`);
    return child;
  } catch (e) {
    await terminate(child);
    const tail = (await readFile(logFile, 'utf8').catch(() => '')).split('\n').slice(-15);
    throw new Error(`Prometheus did not become ready: ${String(e)}\n${tail.join('\n')}`, {
      cause: e,
    });
  }
}

async function waitReady(child: ChildProcess, url: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`prometheus exited with ${child.exitCode ?? child.signalCode}`);
    }
    try {
      const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${READY_TIMEOUT_MS} ms`);
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

function running(
  child: ChildProcess,
  port: number,
  dir: string,
  ownsDir: boolean,
): RunningPrometheus {
  const url = `http://127.0.0.1:${port}`;
  let stopped: Promise<void> | undefined;
  return {
    url,
    port,
    dir,
    stop() {
      stopped ??= (async () => {
        await terminate(child);
        if (ownsDir) await rm(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
    async queryCount() {
      // Prometheus counts a request after its handler returns, which can be just after the
      // client has the answer: read until two reads agree.
      let previous = await readQueryCount(url);
      for (let i = 0; i < 20; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        const current = await readQueryCount(url);
        if (current === previous) return current;
        previous = current;
      }
      return previous;
    },
  };
}

async function readQueryCount(url: string): Promise<number> {
  const response = await fetch(`${url}/metrics`);
  if (!response.ok) throw new Error(`GET ${url}/metrics answered ${response.status}`);
  return countQueryRequests(await response.text());
}

/** Sums `prometheus_http_requests_total` over the query handlers, all status codes. */
export function countQueryRequests(metricsText: string): number {
  let total = 0;
  for (const line of metricsText.split('\n')) {
    const match = /^prometheus_http_requests_total\{([^}]*)\}\s+(\S+)/.exec(line);
    if (match === null) continue;
    const handler = /handler="([^"]*)"/.exec(match[1] ?? '')?.[1];
    if (handler === '/api/v1/query' || handler === '/api/v1/query_range') {
      total += Number(match[2]);
    }
  }
  return total;
}
