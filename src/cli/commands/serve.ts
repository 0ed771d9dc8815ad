/**
 * `tars serve`: plans read-only (no tree written, nothing proposed) and serves the plan as the
 * dashboard (src/dashboard) with `/api/model`, `/healthz` and `/metrics`, re-planning every
 * `--refresh`. The first plan must succeed (bad input ends the command as `tars plan` would); a
 * later one that fails leaves the last good plan on the page beside its error. SIGTERM or SIGINT
 * closes the server and exits 0 at once, dropping a re-plan in flight: a plan writes nothing, and
 * requests still waiting on a slow source (a re-plan's, or those a degraded plan left behind)
 * would otherwise hold the process for minutes, until the kubelet's SIGKILL.
 */
import type { Command } from 'commander';
import { errorMessage, InputError } from '../../errors.js';
import {
  createDashboardServer,
  DashboardBoard,
  listen,
  serverUrl,
} from '../../dashboard/server.js';
import { parseDuration } from '../../plan/duration.js';
import { buildPlan, type PlanResult } from '../../plan/plan.js';
import type { CommandContext } from '../context.js';
import { progressFor, type Progress } from '../io.js';
import { addInputOptions, planInputs, type InputOptions } from '../options.js';
import { loopMetrics, parsePort, sleep, stopOnSignals, type LoopMetrics } from './run.js';

interface ServeOptions extends InputOptions {
  readonly port: string;
  readonly host: string;
  readonly refresh: string;
}

/** `tars serve`: the input options of `tars plan`, and where and how often to serve. */
export function registerServeCommand(program: Command, context: CommandContext): void {
  addInputOptions(
    program
      .command('serve')
      .description(
        'Plan read-only and serve the plan as a dashboard (with /api/model, /healthz, /metrics), re-planning every --refresh.',
      ),
  )
    .option('--port <port>', 'port of the dashboard (0: any free port)', '8090')
    // The page shows the cluster's inventory and findings: this machine only, unless asked
    // (`--host ::` in a Pod, behind a Service).
    .option('--host <address>', 'address to listen on (:: for every address)', '127.0.0.1')
    .option('--refresh <duration>', 'time between plans', '15m')
    .action(async (options: ServeOptions) => {
      const refreshMs = parseRefresh(options.refresh);
      const port = parsePort(options.port);
      const progress = progressFor(context.io, options.quiet);
      const metrics = loopMetrics();
      const board = new DashboardBoard(`every ${options.refresh}`);
      // Before listening: input the plan cannot use ends the command, as it ends `tars plan`.
      const first = await buildPlan(planInputs(options), progress);
      show(first, board, metrics, context);
      const stop = stopOnSignals(progress, 'stopping (a plan in flight is dropped)');
      const server = await listen(
        createDashboardServer({ registry: metrics.registry, board }),
        port,
        options.host,
      );
      try {
        context.io.stdout(`serving the dashboard at ${serverUrl(server, options.host)}\n`);
        for (;;) {
          await sleep(refreshMs, stop.signal);
          if (stop.signal.aborted) break;
          await untilAborted(replan(options, board, metrics, context, progress), stop.signal);
          if (stop.signal.aborted) break;
        }
        progress('stopped');
      } finally {
        stop.dispose();
        await new Promise((resolve) => server.close(resolve));
      }
      // Nothing left is worth waiting for: requests of a plan still in flight would keep the
      // process alive until they time out.
      process.exit(0);
    });
}

/** Waits for `work` (which never rejects) or for `signal`, whichever comes first. */
function untilAborted(work: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const abort = (): void => resolve();
    signal.addEventListener('abort', abort, { once: true });
    void work.then(() => {
      signal.removeEventListener('abort', abort);
      resolve();
    });
  });
}

/** `--refresh`: a duration longer than zero. */
function parseRefresh(text: string): number {
  const seconds = parseDuration(text, '--refresh');
  if (seconds <= 0) throw new InputError(`--refresh "${text}" must be longer than 0s`);
  return seconds * 1000;
}

/** A plan on the page; a source it could not read makes it degraded, said on the page and on stderr. */
function show(
  plan: PlanResult,
  board: DashboardBoard,
  metrics: LoopMetrics,
  context: CommandContext,
): void {
  const warnings = plan.unreachable.map((u) => u.message);
  board.planned(plan.model, warnings);
  for (const warning of warnings) context.io.stderr(`tars: plan degraded: ${warning}\n`);
  if (warnings.length > 0) {
    metrics.runs.inc({ outcome: 'degraded' });
  } else {
    metrics.runs.inc({ outcome: 'success' });
    metrics.lastSuccess.setToCurrentTime();
  }
}

/** A re-plan. Never throws: a failure is shown beside the last good plan, and the server stays. */
async function replan(
  options: ServeOptions,
  board: DashboardBoard,
  metrics: LoopMetrics,
  context: CommandContext,
  progress: Progress,
): Promise<void> {
  let plan: PlanResult;
  try {
    plan = await buildPlan(planInputs(options), progress);
  } catch (e) {
    board.failed(errorMessage(e));
    metrics.runs.inc({ outcome: 'failure' });
    context.io.stderr(`tars: plan failed: ${errorMessage(e)}\n`);
    return;
  }
  show(plan, board, metrics, context);
}
