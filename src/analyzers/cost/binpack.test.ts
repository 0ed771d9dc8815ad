import { describe, expect, it } from 'vitest';
import {
  chooseShape,
  firstFitDecreasing,
  openNodes,
  packPodGroups,
  type Demand,
  type NodeRun,
  type NodeShape,
  type PackResult,
  type PodGroup,
} from './binpack.js';

const MI = 2 ** 20;
const GI = 2 ** 30;

/**
 * First-fit decreasing one pod at a time, as binpack.ts did before it packed identical pods in
 * bulk: the reference the grouped packing must match.
 */
function perPodFirstFitDecreasing(
  pods: readonly Demand[],
  shapes: readonly NodeShape[],
  perNode: Demand = { cpu: 0, memory: 0 },
): PackResult & { open: { shape: NodeShape; free: Demand }[] } {
  const EPS = 1e-9;
  const fits = (pod: Demand, free: Demand): boolean =>
    pod.cpu <= free.cpu + EPS && pod.memory <= free.memory + EPS;
  const common = chooseShape(shapes);
  if (common === undefined) return { nodes: 0, unplaceable: pods.length, byShape: [], open: [] };
  const maxCpu = Math.max(...shapes.map((s) => s.cpu)) || 1;
  const maxMemory = Math.max(...shapes.map((s) => s.memory)) || 1;
  const shapeSize = (s: Demand): number => Math.max(s.cpu / maxCpu, s.memory / maxMemory);
  const bySize = [...shapes].sort(
    (a, b) => shapeSize(a) - shapeSize(b) || a.cpu - b.cpu || a.memory - b.memory,
  );
  const capacityOf = (s: Demand): Demand => ({
    cpu: s.cpu - perNode.cpu,
    memory: s.memory - perNode.memory,
  });
  const usable = (s: Demand): boolean => {
    const c = capacityOf(s);
    return c.cpu > 0 && c.memory > 0;
  };
  const size = (d: Demand): number => Math.max(d.cpu / common.cpu, d.memory / common.memory);
  const sorted = [...pods].sort(
    (a, b) => size(b) - size(a) || b.cpu - a.cpu || b.memory - a.memory,
  );
  const open: { shape: NodeShape; free: { cpu: number; memory: number } }[] = [];
  let unplaceable = 0;
  for (const pod of sorted) {
    let node = open.find((n) => fits(pod, n.free));
    if (node === undefined) {
      const shape =
        usable(common) && fits(pod, capacityOf(common))
          ? common
          : bySize.find((s) => usable(s) && fits(pod, capacityOf(s)));
      if (shape === undefined) {
        unplaceable++;
        continue;
      }
      node = { shape, free: { ...capacityOf(shape) } };
      open.push(node);
    }
    node.free.cpu -= pod.cpu;
    node.free.memory -= pod.memory;
  }
  const byShape = bySize.flatMap((shape) => {
    const nodes = open.filter((n) => n.shape === shape).length;
    return nodes > 0 ? [{ cpu: shape.cpu, memory: shape.memory, nodes }] : [];
  });
  return { nodes: open.length, unplaceable, byShape, open };
}

/** A small seeded generator (mulberry32), so the random cases are the same on every run. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface Case {
  readonly shapes: NodeShape[];
  readonly perNode: Demand;
  readonly groups: PodGroup[];
}

/**
 * A cluster of one to three node shapes, DaemonSet overhead or none, and up to fourteen
 * workloads, half of them with a handful of replicas (so a group often ends inside a run of
 * nodes). Requests on the grid of real ones (50m, 64Mi), at times an exact share of a node (so
 * pods fill a node to the last core), at times larger than every node, at times zero; a demand
 * may repeat in another workload.
 */
function randomCase(seed: number): Case {
  const random = generator(seed);
  const int = (n: number): number => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  const shapes = new Map<string, NodeShape>();
  for (let i = 1 + int(3); i > 0; i--) {
    const cpu = pick([1, 2, 3.5, 4, 8, 16]);
    const memory = pick([2, 4, 8, 16, 32, 64]) * GI;
    shapes.set(`${cpu}/${memory}`, { cpu, memory, count: 1 + int(5) });
  }
  const perNode =
    random() < 0.5 ? { cpu: 0, memory: 0 } : { cpu: int(11) * 0.05, memory: int(17) * 64 * MI };
  const someShape = pick([...shapes.values()]);
  const demand = (): Demand => {
    const roll = random();
    if (roll < 0.05) return { cpu: 0, memory: 0 };
    if (roll < 0.1) return { cpu: 20 * random(), memory: int(129) * GI };
    if (roll < 0.25) {
      const share = 1 + int(6);
      return {
        cpu: (someShape.cpu - perNode.cpu) / share,
        // Whole bytes, as memory requests are.
        memory:
          random() < 0.5
            ? Math.floor((someShape.memory - perNode.memory) / share)
            : int(33) * 64 * MI,
      };
    }
    return { cpu: int(81) * 0.05, memory: int(129) * 64 * MI };
  };
  const groups: PodGroup[] = [];
  for (let i = 1 + int(14); i > 0; i--) {
    const d = random() < 0.15 && groups.length > 0 ? pick(groups) : demand();
    groups.push({ cpu: d.cpu, memory: d.memory, count: random() < 0.5 ? int(5) : int(31) });
  }
  return { shapes: [...shapes.values()], perNode, groups };
}

/** Every pod of the groups, in a shuffled order. */
function podsOf(groups: readonly PodGroup[], seed: number): Demand[] {
  const random = generator(seed);
  const pods = groups.flatMap((g) =>
    Array.from({ length: g.count }, () => ({ cpu: g.cpu, memory: g.memory })),
  );
  for (let i = pods.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pods[i], pods[j]] = [pods[j], pods[i]];
  }
  return pods;
}

/** A node's shape and what is left on it, to a micro-core and a byte (sums of many pods may round). */
function roundFree(node: { shape: NodeShape; free: Demand }) {
  // `+ 0` turns -0 into 0.
  const free = {
    cpu: Math.round(node.free.cpu * 1e6) / 1e6 + 0,
    memory: Math.round(node.free.memory) + 0,
  };
  return { shape: node.shape, free };
}

function expandRun(run: NodeRun) {
  return Array.from({ length: run.nodes }, () => roundFree(run));
}

describe('packing identical pods in bulk', () => {
  it('gives what first-fit decreasing one pod at a time gives, on 2000 random clusters', () => {
    let nodesSeen = 0;
    let unplaceableSeen = 0;
    for (let seed = 1; seed <= 2000; seed++) {
      const { shapes, perNode, groups } = randomCase(seed);
      const { open, ...expected } = perPodFirstFitDecreasing(podsOf(groups, seed), shapes, perNode);
      const context = JSON.stringify({ seed, shapes, perNode, groups });
      expect(packPodGroups(groups, shapes, { perNode }), context).toEqual(expected);
      // Not only as many nodes: the same nodes, in the same order, as full.
      const runs = openNodes(groups, shapes, { perNode }).runs;
      expect(runs.flatMap(expandRun), context).toEqual(open.map(roundFree));
      expect(firstFitDecreasing(podsOf(groups, seed + 1), shapes, perNode), context).toEqual(
        expected,
      );
      nodesSeen += expected.nodes;
      unplaceableSeen += expected.unplaceable;
    }
    // The cases are not trivial: they open many nodes and meet pods that fit nowhere.
    expect(nodesSeen).toBeGreaterThan(10_000);
    expect(unplaceableSeen).toBeGreaterThan(100);
  });

  it('fills open nodes before opening new ones, group by group', () => {
    // 2-CPU nodes: a million 1.5-CPU pods open a million nodes with 0.5 CPU left each; three
    // million 0.5-CPU pods fill those (one each) and the other two million open 500 000 more.
    const shapes = [{ cpu: 2, memory: 8 * GI, count: 3 }];
    const groups = [
      { cpu: 0.5, memory: GI, count: 3_000_000 },
      { cpu: 1.5, memory: GI, count: 1_000_000 },
    ];
    expect(packPodGroups(groups, shapes)).toEqual({
      nodes: 1_500_000,
      unplaceable: 0,
      byShape: [{ cpu: 2, memory: 8 * GI, nodes: 1_500_000 }],
    });
  });

  it('packs a billion pods arithmetically, at once', () => {
    const result = packPodGroups(
      [
        { cpu: 1, memory: GI, count: 1_000_000_000 },
        { cpu: 64, memory: GI, count: 1_000_000_000 },
        { cpu: 0.3, memory: 100 * MI, count: 7 },
      ],
      [
        { cpu: 2, memory: 4 * GI, count: 3 },
        { cpu: 8, memory: 16 * GI, count: 1 },
      ],
      { perNode: { cpu: 0.1, memory: 0 } },
    );
    // 1.9 CPU on a common node: one 1-CPU pod each (a billion nodes); the 0.3-CPU pods take
    // three a node (0.9 left): 7 fill the first three nodes. The 64-CPU pods fit no node.
    expect(result).toEqual({
      nodes: 1_000_000_000,
      unplaceable: 1_000_000_000,
      byShape: [{ cpu: 2, memory: 4 * GI, nodes: 1_000_000_000 }],
    });
    // No time bound here (speed belongs in benchmarks): a pod each runs out of memory long
    // before the test's timeout, so finishing at all is the behaviour under test.
  });
});

describe('the nodes DaemonSets need', () => {
  const shapes = [
    { cpu: 2, memory: 4 * GI, count: 3 },
    { cpu: 8, memory: 32 * GI, count: 1 },
  ];

  it('with nothing else to place, DaemonSet pods still need one node, of the shape new nodes take', () => {
    expect(
      packPodGroups([], shapes, { perNode: { cpu: 0.1, memory: 128 * MI }, daemonSets: true }),
    ).toEqual({ nodes: 1, unplaceable: 0, byShape: [{ cpu: 2, memory: 4 * GI, nodes: 1 }] });
    // Even with no requests, and when every other pod fits nowhere.
    expect(packPodGroups([], shapes, { daemonSets: true }).nodes).toBe(1);
    expect(
      packPodGroups([{ cpu: 100, memory: GI, count: 2 }], shapes, { daemonSets: true }),
    ).toEqual({ nodes: 1, unplaceable: 2, byShape: [{ cpu: 2, memory: 4 * GI, nodes: 1 }] });
  });

  it('a DaemonSet too large for the common shape gets the smallest node that holds it', () => {
    expect(
      packPodGroups([], shapes, { perNode: { cpu: 3, memory: GI }, daemonSets: true }).byShape,
    ).toEqual([{ cpu: 8, memory: 32 * GI, nodes: 1 }]);
  });

  it('add no node when other pods already opened one, and none without DaemonSets', () => {
    expect(
      packPodGroups([{ cpu: 1, memory: GI, count: 3 }], shapes, { daemonSets: true }).nodes,
    ).toBe(2);
    expect(packPodGroups([], shapes).nodes).toBe(0);
  });
});
