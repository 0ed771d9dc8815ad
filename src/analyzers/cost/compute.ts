/**
 * The cost report: per workload and for the cluster, the monthly cost of today's requests and of
 * the right-sizing proposal, the node count today and after first-fit-decreasing bin-packing, and
 * the spot candidates. Pure; the lead puts it in the model (`DesiredState.cost`) and the plan
 * summary / pull request as a table. Packing uses the cluster's node shapes, and charges the
 * DaemonSets' requests on every node (src/analyzers/cost/binpack.ts).
 *
 * The money is over the analysed workloads only; the node counts also hold what the policy does
 * not analyse (kube-system, unselected namespaces, bare pods), as it runs today, in both counts:
 * it takes node capacity all the same (`notAnalysedLoad`).
 */
import type { KubeObject } from '../../cluster/types.js';
import {
  arrayField,
  field,
  isRecord,
  podSpecOf,
  podsByName,
  recordField,
} from '../../kube/objects.js';
import { labelSelectorMatches, podTemplateLabels } from '../../kube/selectors.js';
import type {
  ContainerModel,
  CostFigures,
  CostReport,
  WorkloadCost,
  WorkloadModel,
} from '../../model/types.js';
import type { CostPolicy } from '../../policy/types.js';
import { tryParseQuantity } from '../../util/quantity.js';
import { containersOf, workloadModels } from '../inventory/index.js';
import type { Resources } from '../rightsizing/recommend.js';
import { currentResources } from '../rightsizing/workloads.js';
import { packPodGroups, type Demand, type NodeShape, type PodGroup } from './binpack.js';

const GIB = 2 ** 30;

/** The proposed resources of a container, when right-sizing proposes any. */
export type ProposalLookup = (
  workload: WorkloadModel,
  container: ContainerModel,
) => Resources | undefined;

export function costReport(
  objects: readonly KubeObject[],
  workloads: readonly WorkloadModel[],
  prices: CostPolicy,
  proposalOf: ProposalLookup = () => undefined,
): CostReport {
  const nodes = objects.filter((o) => o.kind === 'Node');
  const shapes = nodeShapes(nodes);
  const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget');
  const claims = new Map(
    objects
      .filter((o) => o.kind === 'PersistentVolumeClaim')
      .map((o) => [`${o.metadata.namespace ?? ''}/${o.metadata.name}`, o] as const),
  );
  const objectOf = new Map(
    objects.map((o) => [`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o] as const),
  );
  const podByKey = podsByName(objects);
  // A pod the snapshot does not hold is taken as running: the model listed it.
  const isLive = (namespace: string, name: string): boolean => {
    const pod = podByKey.get(`${namespace}/${name}`);
    return pod === undefined || !isTerminated(pod);
  };

  const costs: WorkloadCost[] = workloads.map((workload) => {
    const object = objectOf.get(
      `${workload.ref.kind}/${workload.ref.namespace}/${workload.ref.name}`,
    );
    const replicas = replicasOf(workload, nodes.length, isLive);
    const requests = podDemand(workload.containers, (c) => currentResources(c));
    const proposedRequests = podDemand(workload.containers, (c) => ({
      ...currentResources(c),
      ...proposalOf(workload, c),
    }));
    const storageGiB =
      object === undefined ? 0 : storageOf(object, workload, replicas, claims) / GIB;
    return {
      ref: workload.ref,
      replicas,
      requests,
      proposedRequests,
      today: figures(requests, replicas, storageGiB, prices),
      proposed: figures(proposedRequests, replicas, storageGiB, prices),
      spotCandidate: object !== undefined && isSpotCandidate(object, workload, replicas, pdbs),
    };
  });

  // DaemonSets with a pod to run: their requests come off every node, and they need a node.
  const daemonSets = costs.filter((c) => c.ref.kind === 'DaemonSet' && c.replicas > 0);
  const packable = costs.filter((c) => c.ref.kind !== 'DaemonSet');
  const other = notAnalysedLoad(objects, podByKey, workloads, nodes.length);
  // A workload's replicas as one group of identical pods, never a pod each: a snapshot's
  // `replicas` may be in the billions.
  const pack = (pick: (c: WorkloadCost) => Demand) =>
    packPodGroups(
      [...packable.map((c) => ({ ...pick(c), count: c.replicas })), ...other.pods],
      shapes,
      {
        perNode: sumDemand([...daemonSets.map(pick), ...other.daemonSets]),
        daemonSets: daemonSets.length + other.daemonSets.length > 0,
      },
    );
  const packedToday = pack((c) => c.requests);
  const packedProposed = pack((c) => c.proposedRequests);
  const notAnalysed = {
    pods: other.pods.reduce((sum, g) => sum + g.count, 0),
    daemonSets: other.daemonSets.length,
  };

  return {
    currency: prices.currency,
    hoursPerMonth: prices.hoursPerMonth,
    prices: {
      vcpuHour: prices.vcpuHour,
      memoryGiBHour: prices.memoryGiBHour,
      storageGiBMonth: prices.storageGiBMonth,
      spotDiscount: prices.spotDiscount,
    },
    workloads: costs,
    today: sumFigures(costs.map((c) => c.today)),
    proposed: sumFigures(costs.map((c) => c.proposed)),
    // The sum of the savings the spot findings print, each to the cent.
    spotSavings: roundMoney(
      costs
        .filter((c) => c.spotCandidate)
        .reduce((sum, c) => sum + spotSaving(c, prices.spotDiscount), 0),
    ),
    nodes: {
      today: nodes.length,
      packedToday: packedToday.nodes,
      packedProposed: packedProposed.nodes,
      unplaceable: packedProposed.unplaceable,
      ...(packedToday.unplaceable > 0 ? { unplaceableToday: packedToday.unplaceable } : {}),
      ...(notAnalysed.pods + notAnalysed.daemonSets > 0 ? { notAnalysed } : {}),
    },
  };
}

/**
 * What runs on the nodes besides the analysed workloads, the same today and proposed: the
 * requests of the DaemonSets the policy leaves out (on every node), and the pods of the other
 * workloads it leaves out and of no workload at all (bare pods, in any namespace). A pod counts
 * with its own requests, as admitted; a workload's desired replicas the snapshot holds no running
 * pod for count with its template's. Terminated pods (Succeeded, Failed) hold no capacity.
 */
function notAnalysedLoad(
  objects: readonly KubeObject[],
  /** The snapshot's pods by `namespace/name` (`podsByName`), read once for the whole report. */
  podByKey: ReadonlyMap<string, KubeObject>,
  analysed: readonly WorkloadModel[],
  nodeCount: number,
): { readonly pods: PodGroup[]; readonly daemonSets: Demand[] } {
  const refKey = (w: WorkloadModel): string => `${w.ref.kind}/${w.ref.namespace}/${w.ref.name}`;
  const analysedKeys = new Set(analysed.map(refKey));
  const running = (pod: KubeObject | undefined): pod is KubeObject =>
    pod !== undefined && !isTerminated(pod);
  const asAdmitted = (pod: KubeObject): PodGroup => ({
    ...podDemand(containersOf(pod), currentResources),
    count: 1,
  });

  const every = workloadModels(objects, () => true);
  const pods: PodGroup[] = [];
  const daemonSets: Demand[] = [];
  for (const w of every.filter((x) => !analysedKeys.has(refKey(x)))) {
    if (w.ref.kind === 'DaemonSet') {
      if (replicasOf(w, nodeCount, () => true) > 0)
        daemonSets.push(podDemand(w.containers, currentResources));
      continue;
    }
    const live = w.pods.map((name) => podByKey.get(`${w.ref.namespace}/${name}`)).filter(running);
    pods.push(...live.map(asAdmitted));
    // Jobs and CronJobs have no desired count: only what runs.
    const missing = Math.max(0, (w.replicas ?? 0) - live.length);
    pods.push({ ...podDemand(w.containers, currentResources), count: missing });
  }
  const owned = new Set(every.flatMap((w) => w.pods.map((name) => `${w.ref.namespace}/${name}`)));
  for (const [key, pod] of podByKey) {
    if (!owned.has(key) && running(pod)) pods.push(asAdmitted(pod));
  }
  return { pods: pods.filter((g) => g.count > 0), daemonSets };
}

function isTerminated(pod: KubeObject): boolean {
  const phase = field(pod, 'status', 'phase');
  return phase === 'Succeeded' || phase === 'Failed';
}

/**
 * Deployments and StatefulSets: desired replicas; DaemonSets: one per node; Jobs and CronJobs:
 * the pods they run (a finished pod, Succeeded or Failed, holds no capacity and costs nothing).
 */
function replicasOf(
  workload: WorkloadModel,
  nodeCount: number,
  isLive: (namespace: string, pod: string) => boolean,
): number {
  if (workload.replicas !== undefined) return workload.replicas;
  const live = workload.pods.filter((name) => isLive(workload.ref.namespace, name)).length;
  if (workload.ref.kind === 'DaemonSet') return live > 0 ? live : nodeCount;
  return live;
}

/**
 * A pod's effective request, as the scheduler counts it (Kubernetes' pod requests with native
 * sidecars, KEP-753), per resource:
 *   max(sum(app) + sum(sidecars), max over init containers i of (init_i + sum(sidecars before i)))
 * where sidecars are init containers with `restartPolicy: Always`, which keep running beside the
 * app containers. Init containers count in their spec order (the order `containers` lists them).
 * An unset request is the limit, as the API server defaults it.
 */
export function podDemand(
  containers: readonly ContainerModel[],
  resourcesOf: (c: ContainerModel) => Resources,
): Demand {
  let running: Demand = { cpu: 0, memory: 0 };
  let sidecars: Demand = { cpu: 0, memory: 0 };
  let initPeak: Demand = { cpu: 0, memory: 0 };
  for (const c of containers) {
    const r = resourcesOf(c);
    const request: Demand = {
      cpu: r.cpuRequest ?? r.cpuLimit ?? 0,
      memory: r.memoryRequest ?? r.memoryLimit ?? 0,
    };
    if (!c.init || c.sidecar === true) running = sumDemand([running, request]);
    if (!c.init) continue;
    // A sidecar starts and stays; while it starts, the sidecars before it and itself run.
    const starting = sumDemand([sidecars, request]);
    if (c.sidecar === true) sidecars = starting;
    initPeak = maxDemand(initPeak, starting);
  }
  return maxDemand(running, initPeak);
}

function maxDemand(a: Demand, b: Demand): Demand {
  return { cpu: Math.max(a.cpu, b.cpu), memory: Math.max(a.memory, b.memory) };
}

function figures(
  pod: Demand,
  replicas: number,
  storageGiB: number,
  prices: CostPolicy,
): CostFigures {
  const cpu = roundMoney(pod.cpu * replicas * prices.vcpuHour * prices.hoursPerMonth);
  const memory = roundMoney(
    (pod.memory / GIB) * replicas * prices.memoryGiBHour * prices.hoursPerMonth,
  );
  const storage = roundMoney(storageGiB * prices.storageGiBMonth);
  // The sum of the rounded parts, not the unrounded total rounded: printed, the parts add up.
  return { cpu, memory, storage, total: roundMoney(cpu + memory + storage) };
}

/** The monthly saving of running a workload's proposed pods on spot capacity, to the cent. */
export function spotSaving(workload: WorkloadCost, spotDiscount: number): number {
  return roundMoney(workload.proposed.total * spotDiscount);
}

function sumFigures(all: readonly CostFigures[]): CostFigures {
  const sum = (pick: (f: CostFigures) => number): number =>
    roundMoney(all.reduce((s, f) => s + pick(f), 0));
  return {
    cpu: sum((f) => f.cpu),
    memory: sum((f) => f.memory),
    storage: sum((f) => f.storage),
    total: sum((f) => f.total),
  };
}

function sumDemand(all: readonly Demand[]): Demand {
  return all.reduce((a, b) => ({ cpu: a.cpu + b.cpu, memory: a.memory + b.memory }), {
    cpu: 0,
    memory: 0,
  });
}

/**
 * To the cent. Every figure is rounded before it is added (a workload's total adds its rounded
 * parts, the cluster's the workloads'), so a printed table adds up.
 */
function roundMoney(x: number): number {
  return Math.round(x * 100) / 100;
}

function nodeShapes(nodes: readonly KubeObject[]): NodeShape[] {
  const byShape = new Map<string, NodeShape>();
  for (const node of nodes) {
    const allocatable =
      recordField(node, 'status', 'allocatable') ?? recordField(node, 'status', 'capacity');
    const cpu = tryParseQuantity(allocatable?.cpu as string | undefined);
    const memory = tryParseQuantity(allocatable?.memory as string | undefined);
    if (cpu === undefined || memory === undefined) continue;
    const key = `${cpu}/${memory}`;
    const shape = byShape.get(key);
    byShape.set(key, { cpu, memory, count: (shape?.count ?? 0) + 1 });
  }
  return [...byShape.values()];
}

/** Bytes of persistent storage: claims the pod template mounts, plus StatefulSet claim templates per replica. */
function storageOf(
  object: KubeObject,
  workload: WorkloadModel,
  replicas: number,
  claims: ReadonlyMap<string, KubeObject>,
): number {
  let bytes = 0;
  for (const volume of arrayField(podSpecOf(object), 'volumes')) {
    const claimName = field(volume, 'persistentVolumeClaim', 'claimName');
    if (typeof claimName !== 'string') continue;
    const claim = claims.get(`${workload.ref.namespace}/${claimName}`);
    bytes +=
      tryParseQuantity(
        field(claim, 'spec', 'resources', 'requests', 'storage') as string | undefined,
      ) ?? 0;
  }
  for (const template of arrayField(object, 'spec', 'volumeClaimTemplates')) {
    const size = tryParseQuantity(
      field(template, 'spec', 'resources', 'requests', 'storage') as string | undefined,
    );
    bytes += (size ?? 0) * replicas;
  }
  return bytes;
}

/** Stateless (a Deployment mounting no claim), at least 2 replicas, and a PDB selecting its pods. */
function isSpotCandidate(
  object: KubeObject,
  workload: WorkloadModel,
  replicas: number,
  pdbs: readonly KubeObject[],
): boolean {
  if (workload.ref.kind !== 'Deployment' || replicas < 2) return false;
  const mountsClaim = arrayField(podSpecOf(object), 'volumes').some((v) =>
    isRecord(field(v, 'persistentVolumeClaim')),
  );
  if (mountsClaim) return false;
  const labels = podTemplateLabels(object);
  return pdbs.some(
    (pdb) =>
      pdb.metadata.namespace === workload.ref.namespace &&
      labelSelectorMatches(field(pdb, 'spec', 'selector'), labels),
  );
}
