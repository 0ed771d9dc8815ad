/**
 * `tars run`: the continuous loop (plan → propose at an interval), or one pass with `--once`
 * (what the bootstrap CronJob runs). While looping it serves the dashboard of the last pass
 * (src/dashboard), `/healthz` and Prometheus `/metrics` on `--port`. SIGTERM or SIGINT lets a
 * pass in flight finish (its pushes are whole either way), then ends the loop with exit 0; a
 * second signal ends the process at once.
 */
import type { Server } from 'node:http';
import type { Command } from 'commander';
import { Counter, Gauge, Registry } from 'prom-client';
import { errorMessage, InputError } from '../../errors.js';
import { createDashboardServer, DashboardBoard, listen } from '../../dashboard/server.js';
import { parseDuration } from '../../plan/duration.js';
import type { CommandContext } from '../context.js';
import { progressFor, type Progress } from '../io.js';
import { addProposeOptions, printResults, runPropose, type ProposeCliOptions } from './propose.js';

interface RunOptions extends ProposeCliOptions {
  readonly once?: boolean;
  readonly interval: string;
  readonly port: string;
  readonly host?: string;
}

/**
 * How a pass ended: delivered everything; delivered what needs no unreachable source (e.g.
 * Prometheus down: no right-sizing), which `--once` reports with exit 3; or failed.
 */
export const PASS_OUTCOMES = ['success', 'degraded', 'failure'] as const;
export type PassOutcome = (typeof PASS_OUTCOMES)[number];

export interface LoopMetrics {
  readonly registry: Registry;
  readonly runs: Counter<'outcome'>;
  readonly lastSuccess: Gauge;
  /** The last pass's delivery status per concern (1 for the status it had), e.g. to alert on `held`. */
  readonly proposals: Gauge<'concern' | 'status'>;
}

export function loopMetrics(): LoopMetrics {
  const registry = new Registry();
  const runs = new Counter({
    name: 'tars_runs_total',
    help: 'Passes (plan and propose in tars run, plan in tars serve), by outcome (success, degraded: a source such as Prometheus unreachable, failure).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  // Every outcome from 0, so the first degraded or failed pass is an increase alerts can see.
  for (const outcome of PASS_OUTCOMES) runs.inc({ outcome }, 0);
  return {
    registry,
    runs,
    lastSuccess: new Gauge({
      name: 'tars_last_success_timestamp_seconds',
      help: 'When the last pass succeeded with every source read (degraded passes do not count).',
      registers: [registry],
    }),
    proposals: new Gauge({
      name: 'tars_proposal_status',
      help: "The last pass's delivery status per concern (created, updated, unchanged, held, skipped-foreign-commits): 1 for the status it had.",
      labelNames: ['concern', 'status'],
      registers: [registry],
    }),
  };
}

/** The last pass's statuses replace the previous pass's, so a concern shows one status. */
export function recordProposals(
  metrics: LoopMetrics,
  results: readonly { readonly concern: string; readonly status: string }[],
): void {
  metrics.proposals.reset();
  for (const { concern, status } of results) metrics.proposals.set({ concern, status }, 1);
}

/**
 * Serves the dashboard of `board` (src/dashboard), `/healthz` and `/metrics` on `port` of `host`,
 * by default every address, IPv6 and IPv4.
 */
export function serveHealth(
  metrics: LoopMetrics,
  port: number,
  host?: string,
  board = new DashboardBoard(),
): Promise<Server> {
  return listen(createDashboardServer({ registry: metrics.registry, board }), port, host);
}

/** `--port`: a TCP port number. */
export function parsePort(text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535))
    throw new InputError(`--port "${text}" is not a port number (0 to 65535)`);
  return port;
}

/** `--interval`: a duration longer than zero (zero would run passes back to back). */
export function parseInterval(text: string): number {
  const seconds = parseDuration(text, '--interval');
  if (seconds <= 0) throw new InputError(`--interval "${text}" must be longer than 0s`);
  return seconds * 1000;
}

/** Node's timers hold at most 2^31 - 1 ms (about 24.8 days); longer ones fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Waits `ms`, however long, or until `signal` aborts. */
export async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  for (let left = ms; left > 0 && !signal.aborted; left -= MAX_TIMER_MS) {
    const chunk = Math.min(left, MAX_TIMER_MS);
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, chunk);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

/**
 * SIGTERM and SIGINT as an AbortSignal: the first asks the loop to stop, by default after the
 * pass in flight (as PID 1 in a container, node would otherwise ignore SIGTERM until the
 * kubelet's SIGKILL); a second ends the process at once. `stopping` says how, for the log.
 */
export function stopOnSignals(
  log: Progress,
  stopping = 'stopping after the pass in flight (again to stop at once)',
): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const codes: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };
  const handler = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(codes[name] ?? 1);
    log(`${name}: ${stopping}`);
    controller.abort();
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGTERM', handler);
      process.off('SIGINT', handler);
    },
  };
}

export function registerRunCommand(program: Command, context: CommandContext): void {
  addProposeOptions(
    program
      .command('run')
      .description(
        'The loop: plan and propose every --interval (or once with --once), serving the dashboard, /healthz and /metrics.',
      ),
  )
    .option('--once', 'one pass, then exit (the bootstrap CronJob runs this)')
    .option('--interval <duration>', 'time between passes', '1h')
    .option('--port <port>', 'port for the dashboard, /healthz and /metrics while looping', '8090')
    .option('--host <address>', 'address to listen on (default: every address, IPv6 and IPv4)')
    .action(async (options: RunOptions) => {
      const progress = progressFor(context.io, options.quiet);
      const stop = stopOnSignals(progress);
      try {
        if (options.once) {
          printResults(await runPropose(options, context), options, context);
          return;
        }
        await loop(options, context, stop.signal, progress);
      } finally {
        stop.dispose();
      }
    });
}

async function loop(
  options: RunOptions,
  context: CommandContext,
  stop: AbortSignal,
  progress: Progress,
): Promise<void> {
  const intervalMs = parseInterval(options.interval);
  const port = parsePort(options.port);
  const metrics = loopMetrics();
  const board = new DashboardBoard(`every ${options.interval}`);
  const server = await serveHealth(metrics, port, options.host, board);
  progress(
    `serving the dashboard, /healthz and /metrics on port ${port}; a pass every ${options.interval}`,
  );
  try {
    while (!stop.aborted) {
      metrics.runs.inc({ outcome: await pass(options, context, metrics, board) });
      await sleep(intervalMs, stop);
    }
    progress('stopped');
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/** One pass of the loop; its outcome for /metrics. Never throws: a failed pass must not end the loop. */
async function pass(
  options: RunOptions,
  context: CommandContext,
  metrics: LoopMetrics,
  board: DashboardBoard,
): Promise<PassOutcome> {
  // Its own context: a source unreachable in this pass says nothing about the next one.
  const own: CommandContext = { io: context.io };
  try {
    const results = await runPropose(options, own, ({ model, unreachable }) =>
      board.planned(
        model,
        unreachable.map((u) => u.message),
      ),
    );
    printResults(results, options, own);
    recordProposals(metrics, results);
  } catch (e) {
    board.failed(errorMessage(e));
    context.io.stderr(`tars: pass failed: ${errorMessage(e)}\n`);
    return 'failure';
  }
  if (own.deferredError !== undefined) {
    context.io.stderr(`tars: pass degraded: ${own.deferredError.message}\n`);
    return 'degraded';
  }
  metrics.lastSuccess.setToCurrentTime();
  return 'success';
}
