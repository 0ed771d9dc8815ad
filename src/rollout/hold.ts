/**
 * The next wave goes out only after the previous one merged *and stayed healthy* (DESIGN.md,
 * phase 3). Merged is what the base branch records; healthy is read from the cluster the plan
 * just saw: every workload the previous wave touched is rolled out and running, and the resources
 * every wave merged are what the cluster runs (a merge Argo CD or Flux has not synced yet holds).
 * A safety rule fails closed: what the plan could not see (a kind the source could not list,
 * `model.inputs.skipped`) holds too, saying which kind and why, so the operator knows what to
 * grant.
 */
import { isWorkloadKind } from '../analyzers/inventory/owners.js';
import { apiGroupOf } from '../charts/identity.js';
import type { SkippedKind } from '../cluster/types.js';
import {
  CONCERNS,
  type Change,
  type DesiredState,
  type ObjectRef,
  type WorkloadKind,
  type WorkloadModel,
} from '../model/types.js';
import { field, isRecord, podContainersOf, sameObject } from '../kube/objects.js';
import { tryParseQuantity } from '../util/quantity.js';
import { groupKey } from './waves.js';
import { workloadKey } from './risk.js';

/**
 * Why the next wave of a concern must wait; empty when it may go. Health is watched for the
 * workloads of the previous wave (`watched`), as DESIGN.md asks: a workload an older wave touched
 * that broke since is the cluster's problem, not this rollout's. Every merged change, of any wave,
 * must be live: a merge Argo CD or Flux has not synced yet holds whatever wave it was.
 * `everyMerged` is what base holds for every concern: where a later concern's patch sets a value
 * on the same object (right-sizing an adopted Deployment), the cluster runs that value, and
 * whether it is live is that concern's hold, not this one's.
 */
export function holdReasons(
  merged: readonly Change[],
  model: DesiredState,
  watched: (change: Change) => boolean = () => true,
  everyMerged: readonly Change[] = merged,
): string[] {
  const workloads = new Map(model.workloads.map((w) => [workloadKey(w.ref), w] as const));
  const unlisted = unlistedKinds(model);
  const reasons: string[] = [];
  const seen = new Set<string>();
  const unseen = new Set<string>();
  for (const change of merged) {
    const key = groupKey(change);
    const workload = workloads.get(key);
    if (workload === undefined) {
      // Absent from a kind that was listed: gone from the cluster, nothing left to watch. Absent
      // from a kind that was not: maybe running, maybe broken, neither its health nor its
      // resources can be told, whatever wave it merged in.
      const ref = change.workload ?? change.target;
      const skipped = isWorkloadKind(ref.kind) ? unlisted.get(ref.kind) : undefined;
      if (skipped !== undefined && !unseen.has(key)) {
        unseen.add(key);
        reasons.push(`cannot see ${describeRef(ref)}: ${skipped.message}`);
      }
      continue;
    }
    const name = `${workload.ref.namespace}/${workload.ref.name}`;
    if (watched(change) && !seen.has(key)) {
      seen.add(key);
      // Health read without the pods reads the status alone, which misses a crash loop.
      for (const skipped of podKindsOf(workload.ref.kind).flatMap((k) => unlisted.get(k) ?? []))
        reasons.push(`cannot see the pods of ${describeRef(workload.ref)}: ${skipped.message}`);
      const health = workload.health;
      if (health !== undefined && (health.state === 'unhealthy' || health.state === 'progressing'))
        reasons.push(`${name} is ${health.state}: ${health.reasons.join('; ')}`);
      // Healthy is what lets a wave go; a health that cannot be told holds, as an unlisted kind does.
      if (health?.state === 'unknown')
        reasons.push(
          `health of ${name} cannot be told: the source holds no status for it (a snapshot without status?)`,
        );
    }
    for (const gap of resourcesNotLive(change, workload, everyMerged))
      reasons.push(`${name}: ${gap}`);
  }
  return reasons;
}

/**
 * The kinds the source tried and failed to list (forbidden, or failing), by kind. A kind the
 * cluster does not serve is not among them: it holds no object to miss.
 */
function unlistedKinds(model: DesiredState): Map<string, SkippedKind> {
  return new Map(
    model.inputs.skipped.filter((s) => s.reason !== 'not-served').map((s) => [s.kind, s] as const),
  );
}

/**
 * The kinds a workload's pods are found through (src/analyzers/inventory/owners.ts): a pod of
 * a Deployment belongs to it through its ReplicaSet, a pod of a CronJob through its Job.
 */
function podKindsOf(kind: WorkloadKind): readonly string[] {
  if (kind === 'Deployment') return ['ReplicaSet', 'Pod'];
  if (kind === 'CronJob') return ['Job', 'Pod'];
  return ['Pod'];
}

/** `apps/Deployment shop/cart`: the group, so the operator knows what to grant. */
function describeRef(ref: ObjectRef): string {
  const group = apiGroupOf(ref.apiVersion);
  const where = ref.namespace !== undefined ? `${ref.namespace}/${ref.name}` : ref.name;
  return `${group ? `${group}/` : ''}${ref.kind} ${where}`;
}

const RESOURCES = ['cpu', 'memory'] as const;

/**
 * Container resources a merged change sets that the live workload does not run yet. Compared as
 * quantities, so `0.5` and `500m` agree. A value that a change of a later concern in `merged`
 * sets on the same object is not this change's to check: the tree applies that patch on top.
 */
export function resourcesNotLive(
  change: Change,
  workload: WorkloadModel,
  merged: readonly Change[] = [],
): string[] {
  const later = merged.filter(
    (m) =>
      CONCERNS.indexOf(m.concern) > CONCERNS.indexOf(change.concern) &&
      sameObject(m.target, change.target),
  );
  const gaps: string[] = [];
  for (const patched of patchedContainers(change)) {
    const live = workload.containers.find((c) => c.name === patched.name);
    if (live === undefined) continue;
    for (const kind of ['requests', 'limits'] as const) {
      const wanted = field(patched, 'resources', kind);
      if (!isRecord(wanted)) continue;
      for (const resource of RESOURCES) {
        const value = wanted[resource];
        if (typeof value !== 'string' && typeof value !== 'number') continue;
        if (later.some((m) => setsResource(m, patched.name, kind, resource))) continue;
        const running = live[kind][resource];
        if (tryParseQuantity(value) !== tryParseQuantity(running)) {
          gaps.push(
            `merged ${resource} ${kind === 'requests' ? 'request' : 'limit'} ${String(value)} of container ${patched.name} is not live yet (running ${running ?? 'unset'})`,
          );
        }
      }
    }
  }
  return gaps;
}

/** Whether a change sets `resources.<kind>.<resource>` of the named container. */
function setsResource(
  change: Change,
  container: string,
  kind: 'requests' | 'limits',
  resource: (typeof RESOURCES)[number],
): boolean {
  return patchedContainers(change).some((c) => {
    if (c.name !== container) return false;
    const values = field(c, 'resources', kind);
    return isRecord(values) && values[resource] !== undefined;
  });
}

/** The named containers (init ones included) of a change's pod template, with their resources. */
function patchedContainers(change: Change): { name: string }[] {
  return podContainersOf(change.manifest).filter(
    (c): c is { name: string } => isRecord(c) && typeof c.name === 'string',
  );
}
