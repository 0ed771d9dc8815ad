/**
 * Which usage history a plan reads: Prometheus when `--prometheus` is given, else the
 * OpenMetrics files of a snapshot, else none. Prometheus being down does not stop a plan that
 * has other work to do: the plan goes on without usage data, says so, and the CLI exits 3.
 */
import type { ClusterSnapshot } from '../cluster/types.js';
import { SourceUnreachableError } from '../errors.js';
import { findOpenMetricsFiles, OpenMetricsHistorySource } from '../metrics/openmetrics/source.js';
import { PrometheusHistorySource } from '../metrics/prometheus/source.js';
import { MetricsApiHistorySource } from '../metrics/metrics-api/source.js';
import { loadKubeConfig } from '../cluster/live/index.js';
import type { UsageHistory } from '../metrics/types.js';
import type { Policy } from '../policy/types.js';
import { namespaceSelected } from '../analyzers/inventory/index.js';
import type { PlanInputOptions } from './plan.js';

/** Resolution of the usage series: cAdvisor's scrape-friendly 5 minutes. */
export const HISTORY_STEP_SECONDS = 300;

export interface HistoryOutcome {
  readonly history?: UsageHistory;
  readonly notes: readonly string[];
  readonly unreachable: readonly SourceUnreachableError[];
}

function namespacesToQuery(snapshot: ClusterSnapshot, policy: Policy): string[] {
  return snapshot.objects
    .filter((o) => o.kind === 'Namespace' && namespaceSelected(o.metadata.name, policy))
    .map((o) => o.metadata.name)
    .sort();
}

export async function readHistory(
  options: PlanInputOptions,
  snapshot: ClusterSnapshot,
  policy: Policy,
  progress: (message: string) => void,
): Promise<HistoryOutcome> {
  const namespaces = namespacesToQuery(snapshot, policy);
  if (options.prometheus !== undefined) {
    const source = PrometheusHistorySource.fromConfig({
      url: options.prometheus,
      ...(options.prometheusToken !== undefined ? { bearerToken: options.prometheusToken } : {}),
    });
    const end = Math.floor(Date.now() / 1000 / HISTORY_STEP_SECONDS) * HISTORY_STEP_SECONDS;
    progress(`reading usage history from ${source.describe()}`);
    try {
      const history = await source.fetch(
        { namespaces, start: end - options.historySeconds, end, stepSeconds: HISTORY_STEP_SECONDS },
        progress,
      );
      return { history, notes: [], unreachable: [] };
    } catch (error) {
      if (!(error instanceof SourceUnreachableError)) throw error;
      return {
        notes: [`No usage history: ${error.message}. Planned everything that needs none.`],
        unreachable: [error],
      };
    }
  }
  if (options.snapshot !== undefined && (await findOpenMetricsFiles(options.snapshot)).length > 0) {
    const source = new OpenMetricsHistorySource({ dir: options.snapshot });
    progress(`reading usage history from ${source.describe()}`);
    const range = await source.coveredRange();
    if (range !== undefined) {
      const history = await source.fetch(
        { namespaces, start: range.start, end: range.end, stepSeconds: HISTORY_STEP_SECONDS },
        progress,
      );
      return { history, notes: [], unreachable: [] };
    }
  }
  if (options.snapshot === undefined && snapshot.apiGroups.includes('metrics.k8s.io')) {
    // A single point in time: recorded with low confidence, never enough alone to lower a request.
    const source = MetricsApiHistorySource.fromKubeConfig(
      loadKubeConfig({
        ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
        ...(options.context !== undefined ? { context: options.context } : {}),
      }),
    );
    progress(`reading current usage from ${source.describe()} (one point in time)`);
    const now = Math.floor(Date.now() / 1000);
    const history = await source.fetch(
      { namespaces, start: now, end: now, stepSeconds: HISTORY_STEP_SECONDS },
      progress,
    );
    return {
      history,
      notes: [
        'Usage from metrics.k8s.io is a single point in time: requests are only raised from it, never lowered.',
      ],
      unreachable: [],
    };
  }
  return { notes: [], unreachable: [] };
}
