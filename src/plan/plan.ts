/**
 * `tars plan` end to end: read the sources, run the analyzers, synthesize the tree. The only
 * place that knows which source implementation to build from the command-line options.
 */
import { LiveClusterSource } from '../cluster/live/index.js';
import { SnapshotClusterSource } from '../cluster/snapshot/index.js';
import type { ClusterSnapshot, ClusterSource, SkippedKind } from '../cluster/types.js';
import type { SourceUnreachableError } from '../errors.js';
import type { DesiredState } from '../model/types.js';
import type { Policy } from '../policy/types.js';
import { loadPolicy } from '../policy/load.js';
import { analyze } from './analyze.js';
import { readHistory } from './history.js';
import type { PrometheusAuth } from '../metrics/prometheus/client.js';

export interface PlanInputOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly snapshot?: string;
  readonly prometheus?: string;
  /** Token and headers for `prometheus`. */
  readonly prometheusAuth?: PrometheusAuth;
  readonly policies?: string;
  /** Prometheus window in seconds. */
  readonly historySeconds: number;
}

export interface PlanResult {
  readonly model: DesiredState;
  /** The policy the plan was made under (files merged over defaults, then any override). */
  readonly policy: Policy;
  /** Sources that could not be reached but did not stop the plan (exit 3 after writing). */
  readonly unreachable: readonly SourceUnreachableError[];
}

export function clusterSourceFor(options: PlanInputOptions): ClusterSource {
  return options.snapshot !== undefined
    ? SnapshotClusterSource.fromDirectory(options.snapshot)
    : LiveClusterSource.fromConfig({
        ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
        ...(options.context !== undefined ? { context: options.context } : {}),
      });
}

export async function readCluster(
  options: PlanInputOptions,
  progress: (message: string) => void,
): Promise<ClusterSnapshot> {
  const source = clusterSourceFor(options);
  progress(`reading ${source.describe()}`);
  const snapshot = await source.read(progress);
  for (const skipped of snapshot.skipped) progress(describeSkipped(skipped));
  return snapshot;
}

/** One line for a kind the source could not read: `skipped Pod: forbidden (may not list …)`. */
export function describeSkipped(skipped: SkippedKind): string {
  return `skipped ${skipped.kind}: ${skipped.reason} (${skipped.message})`;
}

export async function buildPlan(
  options: PlanInputOptions,
  progress: (message: string) => void,
  policyOverride?: (policy: Policy) => Policy,
): Promise<PlanResult> {
  const loaded = loadPolicy(options.policies);
  const policy = policyOverride ? policyOverride(loaded) : loaded;
  const snapshot = await readCluster(options, progress);
  const history = await readHistory(options, snapshot, policy, progress);
  progress('analyzing');
  const model = analyze({
    snapshot,
    policy,
    ...(history.history ? { history: history.history } : {}),
    sourceNotes: history.notes,
  });
  return { model, policy, unreachable: history.unreachable };
}
