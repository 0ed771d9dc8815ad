/**
 * Usage from `metrics.k8s.io/v1beta1` PodMetrics (metrics-server), through a kubeconfig: one
 * point in time per container, so the history is flagged `confidence: 'low'`, never enough
 * alone to lower a request. Listed per namespace (or once cluster-wide), never per pod.
 */
import { ApiException, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { Ajv } from 'ajv';
import type { SchemaObject } from 'ajv';
import { errorMessage, InputError, NotFoundError, SourceUnreachableError } from '../../errors.js';
import { compareKeys } from '../assemble.js';
import type { ContainerUsage, HistoryQuery, UsageHistory, UsageHistorySource } from '../types.js';
import { parseQuantity } from '../../util/quantity.js';

export interface PodMetricsList {
  items: {
    metadata: { name: string; namespace: string };
    timestamp: string;
    window?: string;
    containers: { name: string; usage: { cpu?: string; memory?: string } }[];
  }[];
}

const podMetricsListSchema: SchemaObject = {
  type: 'object',
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['metadata', 'timestamp', 'containers'],
        properties: {
          metadata: {
            type: 'object',
            required: ['name', 'namespace'],
            properties: { name: { type: 'string' }, namespace: { type: 'string' } },
          },
          timestamp: { type: 'string' },
          window: { type: 'string' },
          containers: {
            type: 'array',
            items: {
              type: 'object',
              required: ['name', 'usage'],
              properties: {
                name: { type: 'string' },
                usage: {
                  type: 'object',
                  properties: { cpu: { type: 'string' }, memory: { type: 'string' } },
                },
              },
            },
          },
        },
      },
    },
  },
};

const validatePodMetricsList = new Ajv({ allErrors: false }).compile<PodMetricsList>(
  podMetricsListSchema,
);

export const METRICS_API_SOURCE = 'metrics.k8s.io';

/** A PodMetricsList (as the API serves it) → a one-point, low-confidence history. */
export function podMetricsToHistory(list: unknown, source = METRICS_API_SOURCE): UsageHistory {
  if (!validatePodMetricsList(list)) {
    const problem = validatePodMetricsList.errors?.[0];
    throw new InputError(
      `${source}: not a PodMetricsList (${problem?.instancePath || '/'} ${problem?.message ?? ''})`,
    );
  }
  const containers: ContainerUsage[] = [];
  let start = Infinity;
  let end = -Infinity;
  let windowSeconds = 0;
  for (const item of list.items) {
    const t = Date.parse(item.timestamp) / 1000;
    if (!Number.isFinite(t)) {
      throw new InputError(`${source}: pod ${item.metadata.name} has an invalid timestamp`);
    }
    start = Math.min(start, t);
    end = Math.max(end, t);
    windowSeconds = Math.max(windowSeconds, durationSeconds(item.window));
    for (const c of item.containers) {
      containers.push({
        key: { namespace: item.metadata.namespace, pod: item.metadata.name, container: c.name },
        cpu: c.usage.cpu === undefined ? [] : [{ t, v: parseQuantity(c.usage.cpu) }],
        memory: c.usage.memory === undefined ? [] : [{ t, v: parseQuantity(c.usage.memory) }],
      });
    }
  }
  containers.sort((a, b) => compareKeys(a.key, b.key));
  const now = Date.now() / 1000;
  return {
    source,
    confidence: 'low',
    window: {
      start: Number.isFinite(start) ? start : now,
      end: Number.isFinite(end) ? end : now,
      stepSeconds: windowSeconds,
    },
    containers,
    events: [],
  };
}

/** metrics-server windows look like `10.039s` or `1m0.5s`. */
function durationSeconds(text: string | undefined): number {
  if (text === undefined) return 0;
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) {
    total += Number(n) * { h: 3600, m: 60, s: 1, ms: 0.001 }[unit as 'h' | 'm' | 's' | 'ms'];
  }
  return total;
}

export class MetricsApiHistorySource implements UsageHistorySource {
  private readonly api: CustomObjectsApi;
  private readonly server: string;

  constructor(kubeConfig: KubeConfig) {
    this.api = kubeConfig.makeApiClient(CustomObjectsApi);
    this.server = kubeConfig.getCurrentCluster()?.server ?? 'the cluster';
  }

  static fromKubeConfig(kubeConfig: KubeConfig): MetricsApiHistorySource {
    return new MetricsApiHistorySource(kubeConfig);
  }

  describe(): string {
    return `${METRICS_API_SOURCE} at ${this.server}`;
  }

  /** The current usage; the query's window is ignored (the API has no history). */
  async fetch(query: HistoryQuery, progress?: (message: string) => void): Promise<UsageHistory> {
    const group = { group: 'metrics.k8s.io', version: 'v1beta1', plural: 'pods' };
    const lists =
      query.namespaces.length === 0
        ? [await this.call(() => this.api.listClusterCustomObject(group))]
        : await Promise.all(
            [...new Set(query.namespaces)].map((namespace) =>
              this.call(() => this.api.listNamespacedCustomObject({ ...group, namespace })),
            ),
          );
    const items = lists.flatMap((l) => {
      const list = l as { items?: unknown };
      if (!Array.isArray(list.items)) {
        throw new SourceUnreachableError(
          this.describe(),
          'answered with something that is not a PodMetricsList',
        );
      }
      return list.items as unknown[];
    });
    const history = podMetricsToHistory({ items }, this.describe());
    progress?.(`${this.describe()}: ${history.containers.length} containers, one point in time`);
    return history;
  }

  private async call(list: () => Promise<unknown>): Promise<unknown> {
    try {
      return await list();
    } catch (e) {
      if (e instanceof ApiException) {
        const code = (e as ApiException<unknown>).code;
        if (code === 404) {
          throw new NotFoundError(
            `${METRICS_API_SOURCE}/v1beta1 is not served by ${this.server} (is metrics-server installed?)`,
            { cause: e },
          );
        }
        if (code === 401 || code === 403) {
          throw new SourceUnreachableError(this.describe(), `refused with HTTP ${code}`, {
            cause: e,
          });
        }
        throw new SourceUnreachableError(this.describe(), `HTTP ${code}`, { cause: e });
      }
      throw new SourceUnreachableError(this.describe(), errorMessage(e), { cause: e });
    }
  }
}
