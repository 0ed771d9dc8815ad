/**
 * Is a workload rolled out and running? Read from the status its controller writes and from its
 * pods, the way `kubectl rollout status` and Argo CD's health checks read them: the controller
 * has seen the latest spec, every replica runs it and is available, and no container is stuck
 * in a crash or image-pull loop. The rollout uses it to hold the next wave while a merged one is
 * not healthy.
 */
import type { KubeObject } from '../cluster/types.js';
import { arrayField, field, isRecord, stringField } from './objects.js';

/** `unknown`: the source holds no status (a hand-written snapshot), or the kind has no rollout. */
export type HealthState = 'healthy' | 'progressing' | 'unhealthy' | 'unknown';

export interface WorkloadHealth {
  readonly state: HealthState;
  /** Why it is not healthy, one short sentence each; empty when healthy. */
  readonly reasons: readonly string[];
}

/** Waiting reasons that do not resolve by themselves. */
const STUCK_REASONS = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

const SEVERITY: Record<HealthState, number> = {
  healthy: 0,
  unknown: 1,
  progressing: 2,
  unhealthy: 3,
};

export function workloadHealth(workload: KubeObject, pods: readonly KubeObject[]): WorkloadHealth {
  const findings = [...rolloutFindings(workload), ...pods.flatMap(podFindings)];
  if (findings.length === 0) return { state: 'healthy', reasons: [] };
  const state = findings.reduce<HealthState>(
    (worst, f) => (SEVERITY[f.state] > SEVERITY[worst] ? f.state : worst),
    'healthy',
  );
  return { state, reasons: findings.filter((f) => f.state !== 'unknown').map((f) => f.reason) };
}

interface Finding {
  readonly state: Exclude<HealthState, 'healthy'>;
  readonly reason: string;
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

function rolloutFindings(workload: KubeObject): Finding[] {
  if (workload.kind === 'Job' || workload.kind === 'CronJob') return [];
  const status = field(workload, 'status');
  if (!isRecord(status)) return [{ state: 'unknown', reason: 'no status' }];
  const out: Finding[] = [];
  const generation = workload.metadata.generation;
  const observed = status.observedGeneration;
  if (typeof generation === 'number' && typeof observed === 'number' && observed < generation) {
    out.push({
      state: 'progressing',
      reason: `controller has not observed generation ${generation} yet`,
    });
  }
  if (workload.kind === 'DaemonSet') {
    const desired = num(status.desiredNumberScheduled);
    if (num(status.updatedNumberScheduled) < desired)
      out.push({
        state: 'progressing',
        reason: `${num(status.updatedNumberScheduled)} of ${desired} pods updated`,
      });
    if (num(status.numberAvailable) < desired)
      out.push({
        state: 'progressing',
        reason: `${num(status.numberAvailable)} of ${desired} pods available`,
      });
    return out;
  }
  const replicas = field(workload, 'spec', 'replicas');
  const desired = typeof replicas === 'number' ? replicas : 1;
  if (num(status.updatedReplicas) < desired)
    out.push({
      state: 'progressing',
      reason: `${num(status.updatedReplicas)} of ${desired} replicas updated`,
    });
  const ready = workload.kind === 'StatefulSet' ? status.readyReplicas : status.availableReplicas;
  if (num(ready) < desired)
    out.push({
      state: 'progressing',
      reason: `${num(ready)} of ${desired} replicas ${workload.kind === 'StatefulSet' ? 'ready' : 'available'}`,
    });
  for (const condition of arrayField(status, 'conditions')) {
    if (!isRecord(condition) || condition.status !== 'False') continue;
    if (condition.type === 'Available' || condition.type === 'Progressing') {
      out.push({
        state: 'unhealthy',
        reason: `${condition.type} is False (${stringField(condition, 'reason') ?? 'no reason'})`,
      });
    }
  }
  return out;
}

function podFindings(pod: KubeObject): Finding[] {
  const statuses = [
    ...arrayField(pod, 'status', 'initContainerStatuses'),
    ...arrayField(pod, 'status', 'containerStatuses'),
  ];
  return statuses.flatMap((s): Finding[] => {
    const reason = field(s, 'state', 'waiting', 'reason');
    if (typeof reason !== 'string' || !STUCK_REASONS.has(reason)) return [];
    const name = stringField(s, 'name') ?? '?';
    return [
      { state: 'unhealthy', reason: `pod ${pod.metadata.name} container ${name}: ${reason}` },
    ];
  });
}
