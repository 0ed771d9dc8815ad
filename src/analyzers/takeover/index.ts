/**
 * takeover: adoption of live objects not yet in Git. Unmanaged workloads (applied by hand with
 * kubectl, or by nothing we can recognise) become clean manifests together with what they need
 * (namespace, Services, ConfigMaps, ServiceAccount). Objects that Helm, Argo CD or Flux manage
 * are never adopted: other concerns patch them instead. Nor are objects with an owner (an
 * operator's custom resource writes them): Git and the operator would overwrite each other.
 */
import type { KubeObject } from '../../cluster/types.js';
import { compareObjects, isRecord, objectKey, refOf } from '../../kube/objects.js';
import type { Change, Finding, WorkloadModel } from '../../model/types.js';
import type { Analyzer, AnalyzerInput, AnalyzerOutput } from '../types.js';
import { isManagedElsewhere, managerOf } from '../inventory/managers.js';
import { ObjectIndex, controllerOf } from '../inventory/owners.js';
import { cleanManifest, fieldOwners, lastAppliedValue } from './clean.js';
import { scaleTargetsOf } from '../../kube/autoscaling.js';
import { servicesSelecting } from '../../kube/selectors.js';
import { configMapNames, serviceAccountName } from './related.js';
import { appliedByThisTree } from '../bootstrap/index.js';

/** Kinds adopted as workloads; standalone Jobs are one-off runs, not desired state. */
const ADOPTABLE_WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob']);

/**
 * The workloads a HorizontalPodAutoscaler scales (KEDA's ScaledObjects scale through one): the
 * autoscaler's name by the workload's object key. Their replicas belong to the autoscaler:
 * written into Git, every sync would scale the workload back to the count it had when adopted.
 */
function autoscaledWorkloads(objects: readonly KubeObject[]): Map<string, string> {
  const keys = new Map<string, string>();
  for (const { hpa, kind, name, namespace } of scaleTargetsOf(objects))
    if (namespace !== undefined) keys.set(objectKey({ kind, namespace, name }), hpa.metadata.name);
  return keys;
}

/**
 * Whether only kubectl holds a workload's replicas (created or applied by hand, the autoscaler has
 * not changed them since). A GitOps tool's first server-side apply takes kubectl's fields over
 * (Argo CD's and kubectl's client-side apply migration), so with replicas left out of Git it
 * would drop them: the workload would fall to 1 replica until the autoscaler scales it up again.
 */
function replicasHeldByKubectl(obj: KubeObject): boolean {
  const owners = fieldOwners(obj, ['spec', 'replicas']);
  // Read without managedFields (a snapshot): kubectl's last-applied configuration tells.
  if (owners === undefined) return lastAppliedValue(obj, ['spec', 'replicas']) !== undefined;
  return (
    owners.length > 0 &&
    owners.every((entry) => {
      const manager = typeof entry.manager === 'string' ? entry.manager : '';
      return (
        entry.operation === 'Update' &&
        (manager.startsWith('kubectl') || manager === 'before-first-apply')
      );
    })
  );
}

function handoverFinding(obj: KubeObject, hpa: string): Finding {
  return {
    check: 'takeover.replicas-handover',
    concern: 'takeover',
    severity: 'medium',
    resource: refOf(obj),
    message:
      `${obj.kind} is scaled by HorizontalPodAutoscaler ${hpa}, but only kubectl holds its ` +
      'replicas: left out of Git, the first sync would take them over and reset them to 1. ' +
      'Not adopted until they are handed over.',
    remediation:
      `Hand spec.replicas over once: \`kubectl apply --server-side --field-manager=handover-to-hpa ` +
      `--validate=false -f\` a file with only apiVersion, kind, name, namespace and the current ` +
      'spec.replicas; the next run adopts it.',
  };
}

function adoptChange(
  obj: KubeObject,
  why: string,
  workload: WorkloadModel,
  autoscaled: boolean,
): Change {
  const target = refOf(obj);
  const manifest = cleanManifest(obj);
  if (autoscaled && isRecord(manifest.spec)) delete manifest.spec.replicas;
  return {
    ...(target.kind === workload.ref.kind && target.name === workload.ref.name
      ? {}
      : { workload: workload.ref }),
    id: `takeover:${objectKey(target)}`,
    concern: 'takeover',
    action: 'adopt',
    target,
    manifest,
    summary: `Adopt ${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name} into Git (${why}).`,
  };
}

function leftAloneFinding(obj: KubeObject, reason: string): Finding {
  return {
    check: 'takeover.managed-elsewhere',
    concern: 'takeover',
    severity: 'info',
    resource: refOf(obj),
    message: reason,
    remediation: 'TARS proposes changes to it as patches; its owner keeps applying it.',
  };
}

export function planTakeover(input: AnalyzerInput): AnalyzerOutput {
  if (!input.policy.takeover.adoptUnmanaged) {
    return { notes: ['Takeover skipped: the policy sets takeover.adoptUnmanaged to false.'] };
  }
  const index = new ObjectIndex(input.snapshot.objects);
  const services = input.snapshot.objects.filter((o) => o.kind === 'Service');
  const autoscaled = autoscaledWorkloads(input.snapshot.objects);
  const adopted = new Map<string, Change>();
  const findings: Finding[] = [];
  const adoptFor = (workload: WorkloadModel) => (obj: KubeObject | undefined, why: string) => {
    if (obj === undefined) return;
    const key = objectKey(refOf(obj));
    if (adopted.has(key)) return;
    const owned = ownedMessage(obj);
    if (owned !== undefined) {
      findings.push(leftAloneFinding(obj, owned));
      return;
    }
    const manager = managerOf(obj);
    // Adopted on an earlier run and synced since: Git already holds it as TARS wrote it.
    if (appliedByThisTree(manager, input)) return;
    if (isManagedElsewhere(manager)) {
      findings.push(
        leftAloneFinding(
          obj,
          `${obj.kind} is managed by ${manager.tool}${manager.name ? ` (${manager.name})` : ''}; not adopted.`,
        ),
      );
      return;
    }
    adopted.set(key, adoptChange(obj, why, workload, autoscaled.has(key)));
  };

  for (const workload of input.workloads) {
    const obj = index.get(workload.ref.kind, workload.ref.namespace, workload.ref.name);
    if (obj === undefined || !ADOPTABLE_WORKLOADS.has(obj.kind)) continue;
    // An operator's workload: its owner writes it (and what it alone uses), Git would fight it.
    const owned = ownedMessage(obj);
    if (owned !== undefined) {
      findings.push(leftAloneFinding(obj, owned));
      continue;
    }
    const ownTree = appliedByThisTree(workload.managedBy, input);
    if (!ownTree && isManagedElsewhere(workload.managedBy)) {
      findings.push(leftAloneFinding(obj, describeManaged(workload)));
      continue;
    }
    const hpa = autoscaled.get(objectKey(refOf(obj)));
    if (!ownTree && hpa !== undefined && replicasHeldByKubectl(obj)) {
      findings.push(handoverFinding(obj, hpa));
      continue;
    }
    const ns = workload.ref.namespace;
    const adopt = adoptFor(workload);
    adopt(index.get('Namespace', undefined, ns), `namespace of ${workload.ref.name}`);
    adopt(
      obj,
      `managed by ${workload.managedBy.tool === 'none' ? 'nothing' : workload.managedBy.tool}`,
    );
    for (const svc of servicesSelecting(obj, services)) adopt(svc, `selects ${workload.ref.name}`);
    for (const name of configMapNames(obj))
      adopt(index.get('ConfigMap', ns, name), `used by ${workload.ref.name}`);
    const sa = serviceAccountName(obj);
    if (sa !== undefined) adopt(index.get('ServiceAccount', ns, sa), `runs ${workload.ref.name}`);
  }
  const changes = [...adopted.values()].sort((a, b) => compareObjects(a.target, b.target));
  const dedupedFindings = [...new Map(findings.map((f) => [objectKey(f.resource), f])).values()];
  return {
    changes,
    findings: dedupedFindings.sort((a, b) => compareObjects(a.resource, b.resource)),
  };
}

/** Why an object with an owner (ownerReferences: an operator's resource, a CronJob) is left alone. */
function ownedMessage(obj: KubeObject): string | undefined {
  const owner = controllerOf(obj);
  return owner === undefined
    ? undefined
    : `${obj.kind} is owned by ${owner.kind} ${owner.name}; not adopted.`;
}

function describeManaged(w: WorkloadModel): string {
  return `${w.ref.kind} is managed by ${w.managedBy.tool}${w.managedBy.name ? ` (${w.managedBy.name})` : ''}; not adopted.`;
}

export const takeoverAnalyzer: Analyzer = {
  id: 'takeover',
  description:
    'Clean manifests of live objects not yet in Git; objects managed elsewhere are left for patches.',
  analyze: planTakeover,
};
