/** `tars snapshot --out DIR`: a live cluster and its usage history as a portable snapshot. */
import { join } from 'node:path';
import type { Command } from 'commander';
import { LiveClusterSource } from '../../cluster/live/index.js';
import { writeSnapshot } from '../../cluster/snapshot-writer.js';
import { HISTORY_STEP_SECONDS, prometheusFailure } from '../../plan/history.js';
import { PrometheusHistorySource } from '../../metrics/prometheus/source.js';
import { historyToOpenMetrics } from '../../metrics/openmetrics/export.js';
import { parseDuration } from '../../plan/duration.js';
import { describeSkipped } from '../../plan/plan.js';
import type { CommandContext } from '../context.js';
import { progressFor } from '../io.js';
import {
  addPrometheusAuthOptions,
  prometheusAuth,
  type PrometheusAuthOptions,
} from '../options.js';

interface SnapshotOptions extends PrometheusAuthOptions {
  readonly out: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly prometheus?: string;
  readonly history: string;
  readonly quiet?: boolean;
}

export function registerSnapshotCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('snapshot')
    .description(
      'Write a live cluster (never its Secrets) and its usage history to a snapshot directory.',
    )
    .requiredOption('--out <dir>', 'snapshot directory to write (replaced as a whole)')
    .option('--kubeconfig <file>', 'kubeconfig of the live cluster')
    .option('--context <name>', 'kubeconfig context to use')
    .option(
      '--prometheus <url>',
      'Prometheus base URL: its history is written as OpenMetrics files',
    );
  addPrometheusAuthOptions(command)
    .option('--history <duration>', 'how much usage history to write', '14d')
    .option('-q, --quiet', 'no progress output on stderr')
    .action(async (options: SnapshotOptions) => {
      const progress = progressFor(context.io, options.quiet);
      const historySeconds = parseDuration(options.history, '--history');
      // Read before the cluster: a missing token file fails at once, not after a long read.
      const auth = prometheusAuth(options);
      const source = LiveClusterSource.fromConfig({
        ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
        ...(options.context !== undefined ? { context: options.context } : {}),
      });
      progress(`reading ${source.describe()}`);
      const snapshot = await source.read(progress);
      // --quiet silences progress, not this: a snapshot that lacks a kind must say so where a
      // script sees it, as `tars plan` does in its summary.
      for (const skipped of snapshot.skipped)
        context.io.stderr(`tars: ${describeSkipped(skipped)}\n`);
      const extraFiles: Record<string, string> = {};
      if (options.prometheus !== undefined) {
        const prometheus = PrometheusHistorySource.fromConfig({
          url: options.prometheus,
          ...auth,
        });
        const end = Math.floor(Date.now() / 1000 / HISTORY_STEP_SECONDS) * HISTORY_STEP_SECONDS;
        progress(`reading ${options.history} of usage history from ${prometheus.describe()}`);
        // The history is what a snapshot is for: a failure ends it (exit 3), in one line.
        const history = await prometheus
          .fetch(
            { namespaces: [], start: end - historySeconds, end, stepSeconds: HISTORY_STEP_SECONDS },
            progress,
          )
          .catch((e: unknown) => {
            throw prometheusFailure(prometheus.describe(), e) ?? e;
          });
        extraFiles[join('history', 'usage.om')] = historyToOpenMetrics(history);
      }
      await writeSnapshot(snapshot, options.out, { extraFiles });
      progress(`wrote ${snapshot.objects.length} objects to ${options.out}`);
    });
}
