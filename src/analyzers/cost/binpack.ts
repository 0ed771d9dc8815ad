/**
 * How many nodes a set of pods needs: first-fit decreasing, two dimensions (CPU and memory
 * requests against Node allocatable), onto the cluster's node shapes.
 *
 * New nodes take the cluster's most common shape (ties: the larger), as a node pool or autoscaler
 * would add. A pod that fits no open node and not an empty node of that shape opens a node of the
 * smallest shape that holds it (shapes ordered by dominant share: the larger of a shape's CPU and
 * memory as a share of the largest shape's); only a pod larger than every shape is unplaceable.
 *
 * DaemonSet pods run on every node, so their requests (`perNode`) come off every node's capacity,
 * whatever its shape. That is a simplification: a DaemonSet limited to some nodes by a node
 * selector or affinity is still charged on all of them. DaemonSets alone pack onto one node.
 *
 * Identical pods (a workload's replicas) are packed in bulk, so the work grows with the number of
 * distinct pod sizes, not of pods: a Deployment with `replicas: 1000000000` is counted at once.
 * The result is the one placing pod after pod would give (binpack.test.ts checks it).
 */

export interface Demand {
  /** Cores. */
  readonly cpu: number;
  /** Bytes. */
  readonly memory: number;
}

export interface NodeShape extends Demand {
  /** Nodes of this shape in the cluster. */
  readonly count: number;
}

/** `count` pods of one size. */
export interface PodGroup extends Demand {
  readonly count: number;
}

export interface PackOptions {
  /** Requests of the DaemonSet pods, which run on every node: off every node's capacity. */
  readonly perNode?: Demand;
  /** Whether DaemonSet pods are to run: they need a node even when nothing else does. */
  readonly daemonSets?: boolean;
}

export interface PackResult {
  /** Nodes opened, every shape together. */
  readonly nodes: number;
  /** Pods larger than an empty node of every shape (counted apart, never packed). */
  readonly unplaceable: number;
  /** Nodes opened per shape (allocatable CPU and memory), smallest shape first; only shapes used. */
  readonly byShape: readonly (Demand & { readonly nodes: number })[];
}

export function chooseShape(shapes: readonly NodeShape[]): NodeShape | undefined {
  return [...shapes].sort((a, b) => b.count - a.count || b.cpu - a.cpu || b.memory - a.memory)[0];
}

const EPS = 1e-9;
const NOTHING: Demand = { cpu: 0, memory: 0 };

const fits = (pod: Demand, free: Demand): boolean =>
  pod.cpu <= free.cpu + EPS && pod.memory <= free.memory + EPS;

/** One pod after another, as the scheduler would see them: `firstFitDecreasing` of the groups. */
export function firstFitDecreasing(
  pods: readonly Demand[],
  shapes: readonly NodeShape[],
  perNode: Demand = NOTHING,
): PackResult {
  return packPodGroups(
    pods.map((p) => ({ cpu: p.cpu, memory: p.memory, count: 1 })),
    shapes,
    { perNode },
  );
}

/**
 * Consecutive open nodes of one shape with the same free capacity. First fit fills them in
 * order, so a run stays a run: a group of pods fills its first nodes, at most one partly, and
 * leaves the rest as they were.
 */
export interface NodeRun {
  readonly shape: NodeShape;
  /** What is left on each node of the run. */
  readonly free: Demand;
  readonly nodes: number;
}

export function packPodGroups(
  groups: readonly PodGroup[],
  shapes: readonly NodeShape[],
  options: PackOptions = {},
): PackResult {
  const { runs, unplaceable } = openNodes(groups, shapes, options);
  const byShape = smallestFirst(shapes).flatMap((shape) => {
    const nodes = runs.filter((r) => r.shape === shape).reduce((sum, r) => sum + r.nodes, 0);
    return nodes > 0 ? [{ cpu: shape.cpu, memory: shape.memory, nodes }] : [];
  });
  return { nodes: runs.reduce((sum, r) => sum + r.nodes, 0), unplaceable, byShape };
}

/** The nodes first-fit decreasing opens, in the order it opens them, and the pods that fit none. */
export function openNodes(
  groups: readonly PodGroup[],
  shapes: readonly NodeShape[],
  options: PackOptions = {},
): { readonly runs: readonly NodeRun[]; readonly unplaceable: number } {
  const perNode = options.perNode ?? NOTHING;
  const common = chooseShape(shapes);
  if (common === undefined) {
    return { runs: [], unplaceable: groups.reduce((sum, g) => sum + g.count, 0) };
  }
  const bySize = smallestFirst(shapes);
  const capacityOf = (s: Demand): Demand => ({
    cpu: s.cpu - perNode.cpu,
    memory: s.memory - perNode.memory,
  });
  const usable = (s: Demand): boolean => {
    const c = capacityOf(s);
    return c.cpu > 0 && c.memory > 0;
  };
  /** The shape a new node takes for the pod: the common one if it holds the pod, else the smallest that does. */
  const shapeFor = (pod: Demand): NodeShape | undefined =>
    usable(common) && fits(pod, capacityOf(common))
      ? common
      : bySize.find((s) => usable(s) && fits(pod, capacityOf(s)));

  const open: NodeRun[] = [];
  let unplaceable = 0;
  for (const group of sortedBySize(groups, common)) {
    let left = fillOpenNodes(open, group, group.count);
    if (left === 0) continue;
    const shape = shapeFor(group);
    if (shape === undefined) {
      unplaceable += left;
      continue;
    }
    // New nodes of that shape, each filled before the next opens: full ones, then the rest.
    const capacity = capacityOf(shape);
    const perNewNode = Math.min(howManyFit(group, capacity), left);
    const full = Math.floor(left / perNewNode);
    open.push({ shape, free: minus(capacity, group, perNewNode), nodes: full });
    left -= full * perNewNode;
    if (left > 0) open.push({ shape, free: minus(capacity, group, left), nodes: 1 });
  }
  // DaemonSet pods never open a node by themselves (they run on whichever nodes there are), but
  // they need one to run on: with nothing else to place, they pack onto one node (of the shape
  // a new node takes), not none. Not today's node count: nothing in the requests needs those
  // nodes, and the count would then drop from today's to 1 as soon as one small Deployment
  // joins the DaemonSets; one node keeps the count growing with what is placed.
  if (open.length === 0 && options.daemonSets === true) {
    const shape = shapeFor(NOTHING) ?? common;
    open.push({ shape, free: capacityOf(shape), nodes: 1 });
  }
  return { runs: open, unplaceable };
}

/** Every shape smallest first by dominant share against the largest shape, then CPU, memory. */
function smallestFirst(shapes: readonly NodeShape[]): NodeShape[] {
  const maxCpu = Math.max(...shapes.map((s) => s.cpu)) || 1;
  const maxMemory = Math.max(...shapes.map((s) => s.memory)) || 1;
  const shapeSize = (s: Demand): number => Math.max(s.cpu / maxCpu, s.memory / maxMemory);
  return [...shapes].sort(
    (a, b) => shapeSize(a) - shapeSize(b) || a.cpu - b.cpu || a.memory - b.memory,
  );
}

/**
 * Groups of one size merged, largest first by dominant share of the common shape; ties by CPU,
 * then memory (so pods of one size are consecutive, as sorting them one by one leaves them).
 */
function sortedBySize(groups: readonly PodGroup[], common: Demand): PodGroup[] {
  const merged = new Map<string, PodGroup>();
  for (const g of groups) {
    if (g.count <= 0) continue;
    const key = `${g.cpu}/${g.memory}`;
    merged.set(key, {
      cpu: g.cpu,
      memory: g.memory,
      count: (merged.get(key)?.count ?? 0) + g.count,
    });
  }
  const size = (d: Demand): number => Math.max(d.cpu / common.cpu, d.memory / common.memory);
  return [...merged.values()].sort(
    (a, b) => size(b) - size(a) || b.cpu - a.cpu || b.memory - a.memory,
  );
}

/**
 * Places up to `count` pods of the group on the open nodes, first fit: each run in order takes
 * as many as fit a node on each of its nodes. Returns the pods left over.
 */
function fillOpenNodes(open: NodeRun[], pod: Demand, count: number): number {
  let left = count;
  for (let i = 0; i < open.length && left > 0; i++) {
    const run = open[i];
    const perNode = Math.min(howManyFit(pod, run.free), left);
    if (perNode === 0) continue;
    const full = Math.min(run.nodes, Math.floor(left / perNode));
    left -= full * perNode;
    if (full === run.nodes) {
      open[i] = { ...run, free: minus(run.free, pod, perNode) };
      continue;
    }
    // The pods run out inside this run: `full` nodes take `perNode` each, the next takes the
    // rest, and the nodes after it stay as they were.
    const split: NodeRun[] = [];
    if (full > 0) split.push({ ...run, free: minus(run.free, pod, perNode), nodes: full });
    const partly = left > 0 ? 1 : 0;
    if (partly === 1) split.push({ ...run, free: minus(run.free, pod, left), nodes: 1 });
    if (run.nodes - full - partly > 0) split.push({ ...run, nodes: run.nodes - full - partly });
    open.splice(i, 1, ...split);
    return 0;
  }
  return left;
}

/** How many pods of the size fit the free capacity, one after another (Infinity for an empty pod). */
function howManyFit(pod: Demand, free: Demand): number {
  return Math.min(fitOnAxis(pod.cpu, free.cpu), fitOnAxis(pod.memory, free.memory));
}

function fitOnAxis(request: number, free: number): number {
  if (request <= 0) return request <= free + EPS ? Infinity : 0;
  let n = Math.max(0, Math.floor((free + EPS) / request));
  // The division may round across a whole number; placing the n-th pod must still fit.
  while (n > 0 && n * request > free + EPS) n--;
  while ((n + 1) * request <= free + EPS) n++;
  return n;
}

function minus(free: Demand, pod: Demand, pods: number): Demand {
  return { cpu: free.cpu - pod.cpu * pods, memory: free.memory - pod.memory * pods };
}
