/**
 * Runs the analyzer registry over one snapshot and assembles the desired-state model.
 * Pure: sources are read before, charts are written after.
 */
import { ANALYZERS } from '../analyzers/registry.js';
import type { Analyzer } from '../analyzers/types.js';
import type { ClusterSnapshot } from '../cluster/types.js';
import { compareObjects } from '../kube/objects.js';
import type { UsageHistory } from '../metrics/types.js';
import type { Change, CostReport, DesiredState, Finding, WorkloadModel } from '../model/types.js';
import { MODEL_API_VERSION } from '../model/types.js';
import type { Policy } from '../policy/types.js';
import { attachRisks } from '../rollout/assess.js';

export interface AnalyzeInput {
  readonly snapshot: ClusterSnapshot;
  readonly policy: Policy;
  readonly history?: UsageHistory;
  /** Notes from reading the sources, e.g. that Prometheus was unreachable. */
  readonly sourceNotes?: readonly string[];
  readonly analyzers?: readonly Analyzer[];
}

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info'];

function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
    a.check.localeCompare(b.check) ||
    compareObjects(a.resource, b.resource)
  );
}

export function analyze(input: AnalyzeInput): DesiredState {
  const { snapshot, policy, history } = input;
  const [first, ...rest] = input.analyzers ?? ANALYZERS;
  if (first === undefined) throw new Error('no analyzers registered');
  // The first analyzer (inventory) yields the workloads the others build on.
  const base = { snapshot, policy, ...(history ? { history } : {}) };
  const inventory = first.analyze({ ...base, workloads: [] });
  const workloads: readonly WorkloadModel[] = inventory.workloads ?? [];
  const changes: Change[] = [...(inventory.changes ?? [])];
  const findings: Finding[] = [...(inventory.findings ?? [])];
  const notes: string[] = [...(input.sourceNotes ?? []), ...(inventory.notes ?? [])];
  let cost: CostReport | undefined;
  for (const analyzer of rest) {
    const out = analyzer.analyze({ ...base, workloads });
    cost = out.cost ?? cost;
    changes.push(...(out.changes ?? []));
    findings.push(...(out.findings ?? []));
    notes.push(...(out.notes ?? []));
  }
  return {
    apiVersion: MODEL_API_VERSION,
    kind: 'DesiredState',
    cluster: {
      name: policy.cluster.name ?? snapshot.clusterName,
      source: snapshot.source,
      apiGroups: [...snapshot.apiGroups].sort(),
    },
    inputs: {
      objects: snapshot.objects.length,
      skipped: [...snapshot.skipped].sort((a, b) => a.kind.localeCompare(b.kind)),
      usageHistory: history ? { available: true, source: history.source } : { available: false },
    },
    workloads,
    changes: attachRisks(changes, workloads, snapshot).sort(
      (a, b) => a.concern.localeCompare(b.concern) || compareObjects(a.target, b.target),
    ),
    findings: findings.sort(compareFindings),
    notes: [...new Set(notes)],
    rollout: { phase: policy.rollout.phase, wave: 1 },
    ...(cost !== undefined ? { cost } : {}),
  };
}
