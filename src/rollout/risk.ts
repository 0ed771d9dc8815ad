/**
 * Risk of a change, explained: how big the change is, how sure the evidence is, and how much
 * is at stake if the workload misbehaves. A score from 0 to 1 with the reasons that made it,
 * so a reviewer (and the auto-merge threshold of phase 4) can see why.
 */
import type { Change, ObjectRef, Risk, WorkloadModel } from '../model/types.js';

export interface RiskContext {
  /** The workload the change touches, when it touches one. */
  readonly workload?: WorkloadModel;
  /** A PodDisruptionBudget covers the workload's pods. */
  readonly hasPdb: boolean;
  /** Other workloads observed or configured to call this one. */
  readonly dependents: number;
}

const CONFIDENCE_RISK = { high: 0, medium: 0.15, low: 0.3 } as const;

export function assessRisk(change: Change, ctx: RiskContext): Risk {
  const reasons: string[] = [];
  let score = 0;
  const add = (amount: number, reason: string) => {
    if (amount <= 0) return;
    score += amount;
    reasons.push(reason);
  };

  if (change.action === 'adopt') {
    add(0.05, 'adoption writes the live object to Git unchanged');
  } else {
    const size = change.magnitude;
    if (size !== undefined)
      add(Math.min(0.4, size * 0.8), `changes resources by ${Math.round(size * 100)}%`);
    else add(0.2, `${change.action} of ${change.target.kind}`);
  }
  if (change.evidence) {
    add(
      CONFIDENCE_RISK[change.evidence.confidence],
      `${change.evidence.confidence} confidence evidence (${change.evidence.samples} samples over ${change.evidence.window})`,
    );
  }
  const replicas = ctx.workload?.replicas;
  if (replicas !== undefined && replicas <= 1)
    add(0.15, 'a single replica: any restart is an outage');
  if (ctx.workload && !ctx.hasPdb && change.action !== 'adopt') add(0.1, 'no PodDisruptionBudget');
  if (ctx.dependents > 0)
    add(Math.min(0.2, 0.05 * ctx.dependents), `${ctx.dependents} workload(s) depend on it`);

  return { score: Math.min(1, Math.round(score * 100) / 100), reasons };
}

export function workloadKey(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}
