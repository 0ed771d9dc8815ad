/**
 * Analyzers are pure: `(snapshot, history, policy)` in, proposals and findings out. No I/O.
 * Each lives in `src/analyzers/<id>/` with the same files (index.ts, types.ts, *.test.ts,
 * fixtures/) and is listed once in `registry.ts`.
 */
import type { ClusterSnapshot } from '../cluster/types.js';
import type { UsageHistory } from '../metrics/types.js';
import type { Change, CostReport, Finding, WorkloadModel } from '../model/types.js';
import type { Policy } from '../policy/types.js';

export interface AnalyzerInput {
  readonly snapshot: ClusterSnapshot;
  readonly policy: Policy;
  /** Usage history, when a source provided one. Analyzers that need it say so in `notes` when absent. */
  readonly history?: UsageHistory;
  /** The inventory analyzer's workloads; empty while inventory itself runs. */
  readonly workloads: readonly WorkloadModel[];
}

export interface AnalyzerOutput {
  readonly workloads?: readonly WorkloadModel[];
  readonly changes?: readonly Change[];
  readonly findings?: readonly Finding[];
  readonly notes?: readonly string[];
  /** The cost analyzer's figures, for the model's `cost`. */
  readonly cost?: CostReport;
}

export interface Analyzer {
  /** Folder name and registry key. */
  readonly id: string;
  readonly description: string;
  analyze(input: AnalyzerInput): AnalyzerOutput;
}
