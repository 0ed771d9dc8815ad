/**
 * Usage history: one interface, three sources (Prometheus HTTP API, OpenMetrics files in a
 * snapshot, metrics.k8s.io). Sources do I/O; analyzers receive the resulting `UsageHistory`.
 */

export interface ContainerKey {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
}

/** One observation: unix time in seconds, value in base units (cores, bytes, ratio). */
export interface Sample {
  readonly t: number;
  readonly v: number;
}

export interface ContainerUsage {
  readonly key: ContainerKey;
  /** CPU usage in cores, the rate of `container_cpu_usage_seconds_total` per step. */
  readonly cpu: readonly Sample[];
  /** `container_memory_working_set_bytes`. */
  readonly memory: readonly Sample[];
  /** Share of CFS periods throttled per step (0..1), when the series exist. */
  readonly throttled?: readonly Sample[];
}

export interface ContainerEvents {
  readonly key: ContainerKey;
  /** Times the container was OOMKilled in the window (kube-state-metrics). */
  readonly oomKills: number;
  /** When the last of them happened (unix seconds), when there was one. */
  readonly lastOomKillAt?: number;
  /** Restarts in the window. */
  readonly restarts: number;
}

export interface UsageHistory {
  /** e.g. `Prometheus http://127.0.0.1:9090`, `OpenMetrics files in examples/x`, `metrics.k8s.io`. */
  readonly source: string;
  /** `low` for a single point in time (metrics.k8s.io): never enough alone to lower a request. */
  readonly confidence: 'high' | 'low';
  /** Unix seconds. */
  readonly window: { readonly start: number; readonly end: number; readonly stepSeconds: number };
  readonly containers: readonly ContainerUsage[];
  readonly events: readonly ContainerEvents[];
}

export interface HistoryQuery {
  /** Namespaces to fetch; empty means cluster-wide. */
  readonly namespaces: readonly string[];
  readonly start: number;
  readonly end: number;
  readonly stepSeconds: number;
}

export interface UsageHistorySource {
  describe(): string;
  fetch(query: HistoryQuery, progress?: (message: string) => void): Promise<UsageHistory>;
}
