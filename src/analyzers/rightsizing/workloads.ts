/**
 * From a snapshot, its usage history and the inventory's workloads to one recommendation per
 * container of each workload. Usage belongs to a workload through ownerReferences or, for pods
 * that are gone, the controller's pod naming pattern (src/metrics/ownership.ts).
 */
import type { KubeObject } from '../../cluster/types.js';
import { scaleTargetsOf } from '../../kube/autoscaling.js';
import { arrayField, createdAtSeconds, field, podsByName } from '../../kube/objects.js';
import { groupUsageByWorkload, OwnerIndex, ownerId } from '../../metrics/ownership.js';
import type {
  ContainerEvents,
  ContainerKey,
  ContainerUsage,
  Sample,
  UsageHistory,
} from '../../metrics/types.js';
import type { ContainerModel, WorkloadModel } from '../../model/types.js';
import type { AnalyzerInput } from '../types.js';
import { solveCpuBudget, type CpuBudget } from './budget.js';
import {
  resolveRightsizing,
  rightsizingPolicyOf,
  withOverRequestPrice,
  type ResolvedRightsizing,
} from './policy.js';
import {
  containerCpuCurve,
  hpaCpuDecision,
  recommendContainer,
  type HpaCpuDecision,
  type ContainerHistoryInput,
  type ContainerRecommendation,
  type HpaTargets,
  type Resources,
} from './recommend.js';
import { podContainerResources, resourcesOf, sameResources } from './resources.js';
import { resourcesRunningSince, revisionsByWorkload } from './since.js';

export interface ContainerResult {
  readonly container: ContainerModel;
  readonly current: Resources;
  /** Absent when the history has no series for this container. */
  readonly recommendation?: ContainerRecommendation;
}

export interface WorkloadRecommendation {
  readonly workload: WorkloadModel;
  readonly containers: readonly ContainerResult[];
  /** The HPA scaling this workload, when one does. */
  readonly hpa?: HpaTargets & { readonly object: KubeObject };
}

export interface RightsizingResult {
  readonly workloads: readonly WorkloadRecommendation[];
  /** The plan's solved CPU budget, under `overRequestCost: auto` with eligible containers. */
  readonly cpuBudget?: CpuBudget;
}

/**
 * The last result per history object. A plan hands the same history, policy, snapshot and
 * workloads to the rightsizing and cost analyzers; both need these recommendations, and the
 * plan-wide price solve is the costly part, so the second asks the memo. The function is pure,
 * so a hit on the same four objects is the same answer.
 */
const memo = new WeakMap<
  UsageHistory,
  { readonly key: readonly unknown[]; readonly result: RightsizingResult }
>();

/** Recommendations for every workload; none without history. Pure (memoized per plan). */
export function recommendWorkloads(input: AnalyzerInput): RightsizingResult {
  const { history } = input;
  if (history === undefined) return { workloads: [] };
  const key = [input.policy, input.snapshot, input.workloads];
  const hit = memo.get(history);
  if (hit !== undefined && hit.key.every((k, i) => k === key[i])) return hit.result;
  const result = computeRecommendations(input, history);
  memo.set(history, { key, result });
  return result;
}

function computeRecommendations(input: AnalyzerInput, history: UsageHistory): RightsizingResult {
  const resolved = resolveRightsizing(rightsizingPolicyOf(input.policy));
  const usageByWorkload = groupUsage(history, input.workloads, input.snapshot.objects);
  const hpas = hpasByTarget(input.snapshot.objects);
  const livePods = podsByName(input.snapshot.objects);
  const revisions = revisionsByWorkload(input.snapshot.objects);
  const prepared = input.workloads.map((workload) => {
    const usage = usageByWorkload.get(workload) ?? [];
    const hpa = hpas.get(targetKey(workload.ref.namespace, workload.ref.kind, workload.ref.name));
    const containers = workload.containers.map((container) => {
      const since = resourcesRunningSince(
        workload,
        container.name,
        currentResources(container),
        revisions,
        livePods,
        history.window.end,
      );
      const h = containerHistory(container, usage, history, livePods, since);
      // Built once: the price solve and the proposal read the same curve.
      const curve = h === undefined ? undefined : containerCpuCurve(h, resolved);
      return { container, current: currentResources(container), history: h, curve };
    });
    return { workload, hpa, containers };
  });
  // One price for the whole plan: it needs every container's history before any proposal.
  const cpuBudget = resolved.solvePrice
    ? solveCpuBudget(
        prepared.flatMap((w) =>
          w.containers.flatMap((c) =>
            c.history === undefined || cpuKeptByHpa(w.hpa, w.containers, c.container, resolved)
              ? []
              : [{ history: c.history, curve: c.curve }],
          ),
        ),
        resolved,
      )
    : undefined;
  const rules = withOverRequestPrice(resolved, priceOf(resolved, cpuBudget));
  const workloads = prepared.map(({ workload, hpa, containers }) => {
    // The HPA as far as a container it does not watch on CPU is concerned.
    const memoryOnly: HpaTargets | undefined = hpa && {
      name: hpa.name,
      ...(hpa.memoryUtilization !== undefined ? { memoryUtilization: hpa.memoryUtilization } : {}),
    };
    const recommend = (
      holdCutsFor: readonly string[],
      decision?: (c: ContainerModel) => HpaCpuDecision | undefined,
    ) =>
      containers.map(({ container, current, history: h, curve }) => {
        if (h === undefined) return { container, current };
        const cpu = decision?.(container);
        const rule = cpu === undefined ? memoryOnly : hpa;
        return {
          container,
          current,
          recommendation: pinDefaultedRequests(
            container,
            recommendContainer(h, current, rules, rule, {
              ...(curve !== undefined ? { cpuCurve: curve } : {}),
              ...(cpu !== undefined ? { hpaCpu: cpu } : {}),
              holdCutsFor,
            }),
          ),
        };
      });
    let results: ContainerResult[] = recommend([]);
    // A fix ships alone: found with every rule in force, then the workload is decided again
    // with its cuts held (raises are not cuts, so the same failures stay fixed).
    const fixes = fixesOf(results);
    if (fixes.length > 0) results = recommend(fixes);
    if (hpa?.cpuUtilization !== undefined) {
      const decision = podCpuDecision(hpa, hpa.cpuUtilization, results, rules);
      const counted = countedByHpa(hpa);
      results = recommend(fixes, (c) => (counted(c) ? decision : undefined));
    }
    return { workload, containers: results, ...(hpa !== undefined ? { hpa } : {}) };
  });
  return { workloads, ...(cpuBudget !== undefined ? { cpuBudget } : {}) };
}

/** The failures a workload's recommendations fix, by container: `OOM kills of container app`. */
export function fixesOf(results: readonly ContainerResult[]): string[] {
  return results.flatMap((c) =>
    (c.recommendation?.fixes ?? []).map((f) => `${f} of container ${c.container.name}`),
  );
}

/**
 * The over-request price the proposals use: the policy's, or the one solved for the plan. With
 * `auto` and no budget, no container's CPU is the plan's to place (too little history, or an HPA
 * keeps it): any estimate made is discarded, so the price decides nothing and 0 serves.
 */
function priceOf(rules: ResolvedRightsizing, budget: CpuBudget | undefined): number {
  if (budget !== undefined) return budget.price;
  return rules.solvePrice ? 0 : rules.cpuModel.overRequestCost;
}

/**
 * Whether an HPA keeps this container's CPU request as it is whatever the estimate: such a
 * container has no say in the plan's CPU budget (its request is not the plan's to place).
 * Known before any estimate: the policy leaves HPA-watched CPU alone, the HPA has several CPU
 * metrics, or a container it counts has no CPU request today.
 */
function cpuKeptByHpa(
  hpa: HpaTargets | undefined,
  containers: readonly { readonly container: ContainerModel; readonly current: Resources }[],
  container: ContainerModel,
  rules: ResolvedRightsizing,
): boolean {
  if (hpa?.cpuUtilization === undefined) return false;
  const counted = countedByHpa(hpa);
  if (!counted(container)) return false;
  return (
    rules.policy.hpaCpu === 'leave' ||
    (hpa.cpuMetrics ?? 1) > 1 ||
    containers.some((c) => counted(c.container) && c.current.cpuRequest === undefined)
  );
}

/**
 * The containers an HPA's CPU utilization counts: the one a `ContainerResource` names, else the
 * pod's app containers and native sidecars.
 */
function countedByHpa(hpa: HpaTargets): (c: ContainerModel) => boolean {
  // Native sidecars (init containers that keep running) count like app containers since
  // kubernetes/kubernetes#120001 (2023).
  return (c) =>
    hpa.cpuContainer !== undefined ? c.name === hpa.cpuContainer : !c.init || c.sidecar === true;
}

/**
 * An HPA's CPU utilization is per pod (or per named container): its decision is taken once, on
 * the totals of today's and the proposed requests of the containers it counts, from the
 * proposals made as if it were not there (each container's own decision would give each its own
 * target).
 */
function podCpuDecision(
  hpa: HpaTargets,
  utilization: number,
  free: readonly ContainerResult[],
  rules: ResolvedRightsizing,
): HpaCpuDecision {
  const counts = countedByHpa(hpa);
  const counted = free.filter((r) => counts(r.container));
  const total = (pick: (r: ContainerResult) => number | undefined): number | undefined =>
    counted.reduce<number | undefined>((sum, r) => {
      const v = pick(r);
      return sum === undefined || v === undefined ? undefined : sum + v;
    }, 0);
  const today = total((r) => r.current.cpuRequest);
  const proposed = total((r) => r.recommendation?.proposed.cpuRequest ?? r.current.cpuRequest);
  return hpaCpuDecision(hpa, utilization, today, proposed, rules.policy.hpaCpu);
}

/** The container's history across the workload's pods; undefined when no series names it. */
function containerHistory(
  container: ContainerModel,
  usage: readonly ContainerUsage[],
  history: UsageHistory,
  livePods: ReadonlyMap<string, KubeObject>,
  resourcesSince: number | undefined,
): ContainerHistoryInput | undefined {
  const mine = usage.filter((u) => u.key.container === container.name);
  if (mine.length === 0) return undefined;
  const pods = new Set(mine.map((u) => u.key.pod));
  const events = history.events.filter(
    (e) =>
      e.key.container === container.name &&
      pods.has(e.key.pod) &&
      e.key.namespace === mine[0].key.namespace,
  );
  // Evidence of today's resources: from a live pod that runs them, since that pod started (a
  // StatefulSet's pod keeps its name across a rollout; the window also holds its predecessor's).
  const today = currentResources(container);
  const runningTodaySince = (key: ContainerKey): number | undefined => {
    const pod = livePods.get(`${key.namespace}/${key.pod}`);
    if (pod === undefined || !sameResources(podContainerResources(pod, key.container), today))
      return undefined;
    const created = createdAtSeconds(pod);
    return Number.isNaN(created) ? -Infinity : created;
  };
  const killsToday = (e: ContainerEvents): number => {
    const since = runningTodaySince(e.key);
    return since !== undefined && (e.lastOomKillAt ?? Infinity) >= since ? e.oomKills : 0;
  };
  const throttled = mine.map((u) => finite(u.throttled ?? []));
  const throttledToday = (u: ContainerUsage, i: number): readonly Sample[] => {
    const since = runningTodaySince(u.key);
    return since === undefined ? [] : throttled[i].filter((s) => s.t >= since);
  };
  return {
    cpu: mine.map((u) => finite(u.cpu)),
    memory: mine.map((u) => finite(u.memory)),
    throttled,
    oomKills: events.reduce((n, e) => n + e.oomKills, 0),
    restarts: events.reduce((n, e) => n + e.restarts, 0),
    sameSpec: {
      oomKills: events.reduce((n, e) => n + killsToday(e), 0),
      throttled: mine.map(throttledToday),
    },
    confidence: history.confidence,
    stepSeconds: history.window.stepSeconds,
    now: history.window.end,
    ...(resourcesSince !== undefined ? { resourcesSince } : {}),
  };
}

/**
 * Samples with a finite time and value. The Prometheus and OpenMetrics sources drop NaN and ±Inf
 * (Prometheus answers them as strings); one that got through would turn every estimate it
 * touches, and the plan's CPU budget, into NaN.
 */
function finite(samples: readonly Sample[]): readonly Sample[] {
  return samples.every((s) => Number.isFinite(s.v) && Number.isFinite(s.t))
    ? samples
    : samples.filter((s) => Number.isFinite(s.v) && Number.isFinite(s.t));
}

/**
 * What a container runs with today. A request left unset beside a limit is the limit: Kubernetes
 * defaults it so when it creates the pod, so that is what the step limit and an HPA measure from.
 */
export function currentResources(container: ContainerModel): Resources {
  return resourcesOf(container.requests, container.limits);
}

/**
 * A template that sets a limit but no request gets the request from the limit in every pod: a
 * patch that moves the limit alone would move the request with it. Such a request is written
 * out, at its proposed value, whenever its limit changes.
 */
export function pinDefaultedRequests(
  container: ContainerModel,
  recommendation: ContainerRecommendation,
): ContainerRecommendation {
  const { changed, proposed } = recommendation;
  const pins: { -readonly [K in keyof Resources]?: number } = {};
  for (const [resource, request, limit] of [
    ['cpu', 'cpuRequest', 'cpuLimit'],
    ['memory', 'memoryRequest', 'memoryLimit'],
  ] as const) {
    const defaulted = container.requests[resource] === undefined;
    if (defaulted && changed[limit] !== undefined && changed[request] === undefined)
      pins[request] = proposed[request];
  }
  if (Object.keys(pins).length === 0) return recommendation;
  return { ...recommendation, changed: { ...changed, ...pins } };
}

/** Usage by workload: live pods through ownerReferences, gone pods by their controller's naming. */
function groupUsage(
  history: UsageHistory,
  workloads: readonly WorkloadModel[],
  objects: readonly KubeObject[],
): Map<WorkloadModel, ContainerUsage[]> {
  const { workloads: byOwner } = groupUsageByWorkload(history, new OwnerIndex(objects));
  const grouped = new Map<WorkloadModel, ContainerUsage[]>();
  for (const workload of workloads) {
    const { kind, namespace, name } = workload.ref;
    const usage = byOwner.get(ownerId({ kind, namespace, name }));
    if (usage !== undefined) grouped.set(workload, [...usage.containers.values()].flat());
  }
  return grouped;
}

function targetKey(namespace: string | undefined, kind: string, name: string): string {
  return `${namespace ?? ''}/${kind}/${name}`;
}

/** HPAs by the workload they scale, with their CPU and memory utilization targets. */
function hpasByTarget(
  objects: readonly KubeObject[],
): Map<string, HpaTargets & { object: KubeObject }> {
  const out = new Map<string, HpaTargets & { object: KubeObject }>();
  for (const { hpa, kind, name: target, namespace } of scaleTargetsOf(objects)) {
    const targets: {
      cpuUtilization?: number;
      memoryUtilization?: number;
      cpuContainer?: string;
      cpuMetrics?: number;
    } = {};
    const v1 = field(hpa, 'spec', 'targetCPUUtilizationPercentage');
    if (typeof v1 === 'number') targets.cpuUtilization = v1;
    for (const metric of arrayField(hpa, 'spec', 'metrics')) {
      const source = field(metric, 'resource') ?? field(metric, 'containerResource');
      const name = field(source, 'name');
      const utilization = field(source, 'target', 'averageUtilization');
      if (typeof utilization !== 'number') continue;
      if (name === 'memory') targets.memoryUtilization = utilization;
      if (name !== 'cpu') continue;
      targets.cpuUtilization = utilization;
      targets.cpuMetrics = (targets.cpuMetrics ?? 0) + 1;
      const container = field(metric, 'containerResource', 'container');
      if (typeof container === 'string') targets.cpuContainer = container;
    }
    // Several CPU metrics leave CPU alone: for all the pod's app containers, to be safe.
    if ((targets.cpuMetrics ?? 0) > 1) delete targets.cpuContainer;
    out.set(targetKey(namespace, kind, target), {
      name: hpa.metadata.name,
      object: hpa,
      ...targets,
    });
  }
  return out;
}
