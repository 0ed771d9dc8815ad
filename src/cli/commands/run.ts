/**
 * `tars run`: the continuous loop (plan → propose at an interval), or one pass with `--once`
 * (what the bootstrap CronJob runs). While looping it serves `/healthz` and Prometheus
 * `/metrics` on `--port`.
 */
import { createServer, type Server } from 'node:http';
import type { Command } from 'commander';
import { Counter, Gauge, Registry } from 'prom-client';
import { errorMessage } from '../../errors.js';
import { parseDuration } from '../../plan/duration.js';
import type { CommandContext } from '../context.js';
import { progressFor } from '../io.js';
import { addProposeOptions, printResults, runPropose, type ProposeCliOptions } from './propose.js';

interface RunOptions extends ProposeCliOptions {
  readonly once?: boolean;
  readonly interval: string;
  readonly port: string;
}

export interface LoopMetrics {
  readonly registry: Registry;
  readonly runs: Counter<'outcome'>;
  readonly lastSuccess: Gauge;
  /** The last pass's delivery status per concern (1 for the status it had), e.g. to alert on `held`. */
  readonly proposals: Gauge<'concern' | 'status'>;
}

export function loopMetrics(): LoopMetrics {
  const registry = new Registry();
  return {
    registry,
    runs: new Counter({
      name: 'tars_runs_total',
      help: 'Plan-and-propose passes, by outcome.',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    lastSuccess: new Gauge({
      name: 'tars_last_success_timestamp_seconds',
      help: 'When the last pass succeeded.',
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

export function serveHealth(metrics: LoopMetrics, port: number, host = '0.0.0.0'): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (req.url === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (e: unknown) => res.writeHead(500).end(errorMessage(e)),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

export function registerRunCommand(program: Command, context: CommandContext): void {
  addProposeOptions(
    program
      .command('run')
      .description(
        'The loop: plan and propose every --interval (or once with --once), serving /healthz and /metrics.',
      ),
  )
    .option('--once', 'one pass, then exit (the bootstrap CronJob runs this)')
    .option('--interval <duration>', 'time between passes', '1h')
    .option('--port <port>', 'port for /healthz and /metrics while looping', '8090')
    .action(async (options: RunOptions) => {
      if (options.once) {
        printResults(await runPropose(options, context), options, context);
        return;
      }
      const intervalMs = parseDuration(options.interval, '--interval') * 1000;
      const progress = progressFor(context.io, options.quiet);
      const metrics = loopMetrics();
      const server = await serveHealth(metrics, Number(options.port));
      progress(
        `serving /healthz and /metrics on port ${options.port}; a pass every ${options.interval}`,
      );
      try {
        for (;;) {
          try {
            const results = await runPropose(options, context);
            printResults(results, options, context);
            recordProposals(metrics, results);
            metrics.runs.inc({ outcome: 'success' });
            metrics.lastSuccess.setToCurrentTime();
          } catch (e) {
            // One failed pass (cluster or git briefly away) must not end the loop.
            metrics.runs.inc({ outcome: 'failure' });
            context.io.stderr(`tars: pass failed: ${errorMessage(e)}\n`);
          }
          await new Promise((resolve) => setTimeout(resolve, intervalMs));
        }
      } finally {
        server.close();
      }
    });
}
