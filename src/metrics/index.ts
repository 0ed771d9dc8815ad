/** Usage history: the interface, its three sources, and the pod → workload mapping. */
export type {
  ContainerEvents,
  ContainerKey,
  ContainerUsage,
  HistoryQuery,
  Sample,
  UsageHistory,
  UsageHistorySource,
} from './types.js';
export { containerId, counterIncrease, oomKills } from './assemble.js';
export {
  DEFAULT_MIN_RATE_WINDOW_SECONDS,
  historyQueries,
  rateWindowFor,
  SERIES,
  SIGNALS,
  type Signal,
} from './queries.js';
export {
  PROMETHEUS_MAX_POINTS,
  PrometheusHistorySource,
  chunkWindow,
  type PrometheusSourceOptions,
} from './prometheus/source.js';
export {
  PrometheusQueryError,
  QueryTooLargeError,
  type PrometheusConfig,
  type RetryOptions,
} from './prometheus/client.js';
export {
  OpenMetricsHistorySource,
  findOpenMetricsFiles,
  type OpenMetricsSourceOptions,
} from './openmetrics/source.js';
export {
  formatOpenMetrics,
  type MetricType,
  type OpenMetricsFamily,
  type OpenMetricsSeries,
} from './openmetrics/write.js';
export {
  METRICS_API_SOURCE,
  MetricsApiHistorySource,
  podMetricsToHistory,
} from './metrics-api/source.js';
export { parseQuantity } from '../util/quantity.js';
export {
  OwnerIndex,
  groupUsageByWorkload,
  ownerId,
  type OwnerKind,
  type WorkloadOwner,
  type WorkloadUsage,
} from './ownership.js';
