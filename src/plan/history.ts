/**
 * Which usage history a plan reads: Prometheus when `--prometheus` is given, else the
 * OpenMetrics files of a snapshot, else metrics.k8s.io of a live cluster that serves it, else
 * none. A history source that fails (Prometheus down, refusing our query, metrics-server down)
 * does not stop a plan that has other work to do: the plan goes on without usage data, its
 * summary says which source failed and why in one line, and the CLI exits 3 after writing it.
 */
import type { ClusterSnapshot } from '../cluster/types.js';
import { errorMessage, InputError, NotFoundError, SourceUnreachableError } from '../errors.js';
import { findOpenMetricsFiles, OpenMetricsHistorySource } from '../metrics/openmetrics/source.js';
import { PrometheusQueryError, QueryTooLargeError } from '../metrics/prometheus/client.js';
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
  /** History sources that failed without stopping the plan (the CLI exits 3 after writing). */
  readonly unreachable: readonly SourceUnreachableError[];
}

/**
 * The namespaces the policy selects: from the Namespace objects, and from the namespaced objects
 * too (an identity that may not list Namespaces still sees the objects in them). Never empty by
 * accident: an empty list would query the whole cluster, the excluded namespaces included.
 */
export function namespacesToQuery(snapshot: ClusterSnapshot, policy: Policy): string[] {
  const names = new Set<string>();
  for (const o of snapshot.objects) {
    const name = o.kind === 'Namespace' ? o.metadata.name : o.metadata.namespace;
    if (name !== undefined && namespaceSelected(name, policy)) names.add(name);
  }
  return [...names].sort();
}

/** One line: a server's error text may hold line breaks (a PromQL parse error does). */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** An error class a history source throws on purpose. */
type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * A history source's failure as that source being unreachable or refusing us (exit 3, one
 * line), or undefined for anything not of `kinds` (a bug: it reaches the handler with its stack).
 */
function sourceFailure(
  source: string,
  error: unknown,
  kinds: readonly ErrorClass[],
): SourceUnreachableError | undefined {
  if (error instanceof SourceUnreachableError) {
    const prefix = `${error.source} is unreachable: `;
    const message = oneLine(error.message);
    if (message === error.message || !message.startsWith(prefix)) return error;
    return new SourceUnreachableError(error.source, message.slice(prefix.length), { cause: error });
  }
  if (!kinds.some((kind) => error instanceof kind)) return undefined;
  // Messages that start with the source's name would name it twice.
  let reason = oneLine(errorMessage(error));
  if (reason.startsWith(`${source} `)) reason = reason.slice(source.length + 1);
  return new SourceUnreachableError(source, reason, { cause: error });
}

/**
 * Prometheus rejecting our query, or refusing it even for one step, is Prometheus refusing us:
 * the same outcome as Prometheus being down. Undefined for anything else.
 */
export function prometheusFailure(
  source: string,
  error: unknown,
): SourceUnreachableError | undefined {
  return sourceFailure(source, error, [PrometheusQueryError, QueryTooLargeError]);
}

function withoutHistory(error: SourceUnreachableError): HistoryOutcome {
  return {
    notes: [`No usage history: ${error.message}. Planned everything that needs none.`],
    unreachable: [error],
  };
}

export async function readHistory(
  options: PlanInputOptions,
  snapshot: ClusterSnapshot,
  policy: Policy,
  progress: (message: string) => void,
): Promise<HistoryOutcome> {
  const namespaces = namespacesToQuery(snapshot, policy);
  if (namespaces.length === 0) {
    return {
      notes: ['No usage history read: the policy selects no namespace of this cluster.'],
      unreachable: [],
    };
  }
  if (options.prometheus !== undefined) {
    const source = PrometheusHistorySource.fromConfig({
      url: options.prometheus,
      ...options.prometheusAuth,
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
      const failure = prometheusFailure(source.describe(), error);
      if (failure === undefined) throw error;
      return withoutHistory(failure);
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
    let history: UsageHistory;
    try {
      history = await source.fetch(
        { namespaces, start: now, end: now, stepSeconds: HISTORY_STEP_SECONDS },
        progress,
      );
    } catch (error) {
      // Discovery listed the group, but metrics-server is down (503), erroring, gone since
      // (404) or answering something that is not a PodMetricsList.
      const failure = sourceFailure(source.describe(), error, [NotFoundError, InputError]);
      if (failure === undefined) throw error;
      return withoutHistory(failure);
    }
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
