/**
 * Puts an explained risk on every change that has none, from what the snapshot says about the
 * workload it touches: replicas, PodDisruptionBudgets, and how many other workloads name its
 * Services in their environment (a static stand-in until observed traffic is modelled).
 */
import type { ClusterSnapshot, KubeObject } from '../cluster/types.js';
import { arrayField, field, podContainersOf, stringField } from '../kube/objects.js';
import { labelSelectorMatches, podTemplateLabels, servicesSelecting } from '../kube/selectors.js';
import type { Change, WorkloadModel } from '../model/types.js';
import { assessRisk, workloadKey } from './risk.js';

/** Words of every env value of a workload: service names appear as `name`, `name:port`, `name.ns…`. */
function envWords(workload: KubeObject): Set<string> {
  const words = new Set<string>();
  for (const c of podContainersOf(workload)) {
    for (const env of arrayField(c, 'env')) {
      for (const word of (stringField(env, 'value') ?? '').split(/[\s,;/:.@]+/)) words.add(word);
    }
  }
  return words;
}

export function attachRisks(
  changes: readonly Change[],
  workloads: readonly WorkloadModel[],
  snapshot: ClusterSnapshot,
): Change[] {
  const objects = new Map(
    snapshot.objects.map((o) => [
      workloadKey({ ...o.metadata, kind: o.kind, apiVersion: o.apiVersion }),
      o,
    ]),
  );
  const pdbs = snapshot.objects.filter((o) => o.kind === 'PodDisruptionBudget');
  const services = snapshot.objects.filter((o) => o.kind === 'Service');
  const byKey = new Map(workloads.map((w) => [workloadKey(w.ref), w]));
  const words = new Map(
    workloads.map((w) => {
      const obj = objects.get(workloadKey(w.ref));
      return [workloadKey(w.ref), obj ? envWords(obj) : new Set<string>()] as const;
    }),
  );

  const contextFor = (change: Change) => {
    const workload = byKey.get(workloadKey(change.workload ?? change.target));
    const obj = workload && objects.get(workloadKey(workload.ref));
    if (workload === undefined || obj === undefined) return { hasPdb: false, dependents: 0 };
    const labels = podTemplateLabels(obj);
    const hasPdb = pdbs.some(
      (p) =>
        p.metadata.namespace === workload.ref.namespace &&
        labelSelectorMatches(field(p, 'spec', 'selector'), labels),
    );
    const names = servicesSelecting(obj, services).map((s) => s.metadata.name);
    const dependents = [...words.entries()].filter(
      ([key, w]) => key !== workloadKey(workload.ref) && names.some((n) => w.has(n)),
    ).length;
    return { workload, hasPdb, dependents };
  };
  return changes.map((c) =>
    c.risk !== undefined ? c : { ...c, risk: assessRisk(c, contextFor(c)) },
  );
}
