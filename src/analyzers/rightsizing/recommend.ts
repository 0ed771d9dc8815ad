/**
 * One container's recommendation: the estimates of `estimate.ts` put through the safety rules
 * of the policy, in this order: evidence (OOM kills, throttling, restarts) raises; floors and
 * readable rounding; a low-confidence source (metrics.k8s.io) may only raise; no cut before
 * today's resources have run the soak; the step limit bounds each cut; an HPA scaling on a
 * resource decides whether that resource may move; changes below `minChange` are dropped.
 * Pure: numbers in, numbers and sentences out.
 */
import type { Sample } from '../../metrics/types.js';
import type { Evidence } from '../../model/types.js';
import { roundCpu, roundMemory } from '../../util/quantity.js';
import {
  cpuCurve,
  estimateMemory,
  historySpanSeconds,
  shortHistoryMargin,
  weightedPercentile,
  type CpuCurve,
} from './estimate.js';
import { cpuRequestFrom, type ResolvedRightsizing } from './policy.js';

/** Resources in base units: cores and bytes. */
export interface Resources {
  readonly cpuRequest?: number;
  readonly cpuLimit?: number;
  readonly memoryRequest?: number;
  readonly memoryLimit?: number;
}

export type ResourceField = keyof Resources;

/** Every field of `Resources`, in the order messages list them. */
export const RESOURCE_FIELDS = [
  'cpuRequest',
  'cpuLimit',
  'memoryRequest',
  'memoryLimit',
] as const satisfies readonly ResourceField[];

export interface ContainerHistoryInput {
  /** One series per pod of the workload (pods that are gone included). */
  readonly cpu: readonly (readonly Sample[])[];
  readonly memory: readonly (readonly Sample[])[];
  readonly throttled: readonly (readonly Sample[])[];
  readonly oomKills: number;
  readonly restarts: number;
  /**
   * The evidence of the live pods that run today's resources. Only it may raise today's limits
   * by a share: a pod that is gone (or left from an older rollout) may have been killed or
   * throttled at lower ones, and the window keeps its evidence for days, so raising today's
   * limit for it would raise again on every plan. Absent: all evidence counts as today's.
   */
  readonly sameSpec?: {
    readonly oomKills: number;
    readonly throttled: readonly (readonly Sample[])[];
  };
  readonly confidence: 'high' | 'low';
  readonly stepSeconds: number;
  /** End of the history window (unix seconds): recency weights count back from here. */
  readonly now: number;
  /**
   * Since when (unix seconds) the workload has run today's resources for this container. A cut
   * waits until they have run the policy's soak: the step limit's next cut must be proven by
   * usage measured under the last one, not made again on the same evidence. Absent: nobody can
   * tell (no controller revision, no live pod), and the soak is not applied.
   */
  readonly resourcesSince?: number;
}

/** A failure seen in the usage window; a raise of the resource it is about fixes it. */
export type Failure = 'OOM kills' | 'restarts' | 'CPU throttling';

/** An HPA scaling the workload on a resource's utilization (percent of the request). */
export interface HpaTargets {
  readonly name: string;
  readonly cpuUtilization?: number;
  readonly memoryUtilization?: number;
  /** The container a `ContainerResource` CPU metric watches; absent: the whole pod (`Resource`). */
  readonly cpuContainer?: string;
  /** How many CPU utilization metrics the HPA has (only one can be rescaled soundly). */
  readonly cpuMetrics?: number;
}

/** What an HPA on CPU lets a CPU request do: move with a new target, or stay (`target` absent). */
export interface HpaCpuDecision {
  readonly target?: { readonly from: number; readonly to: number };
  readonly reason: string;
}

export interface ContainerRecommendation {
  /** Every field after the rules; equal to `current` where nothing changes. */
  readonly proposed: Resources;
  /** Only the fields that change. */
  readonly changed: Resources;
  /** Unbounded estimates (before step limit, confidence and HPA rules), for reports and benchmarks. */
  readonly estimate: { readonly cpu?: number; readonly memory?: number };
  readonly evidence: Evidence;
  /** Why something was raised, held or skipped: one sentence each. */
  readonly reasons: readonly string[];
  /** New HPA CPU utilization target, when the CPU request moves under an HPA. */
  readonly hpaCpuTarget?: { readonly from: number; readonly to: number };
  /** Set when no proposal is possible (e.g. too little history). */
  readonly skipped?: string;
  /** Share (0..1) by which the largest request or limit is cut, 0 when nothing is cut. */
  readonly largestCut: number;
  /** History covered, in seconds. */
  readonly historySeconds: number;
  /** The failures in the window (OOM kills, else restarts; throttling); absent when none. */
  readonly failures?: readonly Failure[];
  /**
   * The failures this recommendation remedies: those whose resource it raises (OOM kills and
   * restarts memory, throttling CPU). Absent when it raises nothing that failed.
   */
  readonly fixes?: readonly Failure[];
  /** Cuts held because today's resources have run less than the soak (`resourcesSince`). */
  readonly soak?: { readonly ranSeconds: number; readonly held: readonly ResourceField[] };
  /** Cuts held because the workload's change fixes a failure, and a fix ships alone. */
  readonly heldForFix?: readonly ResourceField[];
}

/** What the workload decides for each of its containers (src/analyzers/rightsizing/workloads.ts). */
export interface ContainerDecisions {
  /** The container's CPU curve when the plan already built it (to solve its price). */
  readonly cpuCurve?: CpuCurve;
  /**
   * The workload's decision under `hpa` (`hpaCpuDecision` on the pod's totals): HPA utilization
   * is per pod, so the caller decides for all the containers the metric counts. Absent: decided
   * on this container alone.
   */
  readonly hpaCpu?: HpaCpuDecision;
  /**
   * The failures the workload's change fixes (`OOM kills of container app`), when it fixes any:
   * then nothing is cut. A cut riding with a fix would share its risk and its fate (reverting
   * one reverts the other, and a cut gone wrong hides whether the fix worked); it waits for a
   * later plan, after the fix has run the soak.
   */
  readonly holdCutsFor?: readonly string[];
}

const HPA_TARGET_RANGE = { min: 10, max: 95 } as const;

export function recommendContainer(
  history: ContainerHistoryInput,
  current: Resources,
  rules: ResolvedRightsizing,
  hpa?: HpaTargets,
  decisions: ContainerDecisions = {},
): ContainerRecommendation {
  const { cpuCurve: prebuiltCpuCurve, hpaCpu, holdCutsFor = [] } = decisions;
  if (rules.solvePrice) {
    // A programming error, not an input one: the plan solves the price before any proposal.
    throw new Error('overRequestCost: auto needs the plan-wide price (solveCpuBudget) first');
  }
  const { policy } = rules;
  const reasons: string[] = [];
  const { historySeconds, extraMargin: extra } = spanOf(history, rules);
  const curve =
    prebuiltCpuCurve ?? cpuCurve(history.cpu.flat(), history.now, rules.cpuModel, extra);
  const cpu = curve?.at(rules.cpuModel.overRequestCost);
  const memory = estimateMemory(history.memory, rules.memoryModel, extra);
  const evidence = evidenceOf(history, historySeconds, rules, cpu?.percentile, memory);
  const unchanged = (skipped: string): ContainerRecommendation => ({
    proposed: current,
    changed: {},
    estimate: {},
    evidence,
    reasons,
    skipped,
    largestCut: 0,
    historySeconds,
  });

  if (cpu === undefined && memory === undefined) return unchanged('no usage samples');
  if (tooShort(history, historySeconds, rules)) {
    return unchanged(
      `${formatSpan(historySeconds)} of history, less than the ${policy.minHistory} the policy asks`,
    );
  }

  const proposed: { -readonly [K in ResourceField]?: number } = { ...current };
  let hpaCpuTarget: ContainerRecommendation['hpaCpuTarget'];
  const ran = unsoakedSeconds(history, rules);
  const fixing = holdCutsFor.length > 0;
  /** The fields whose cut the soak or a fix holds, in the order they were decided. */
  const held: ResourceField[] = [];
  const holding = ran !== undefined || fixing;
  const bound = (target: number, field: ResourceField, round: (v: number) => number): number =>
    bounded(target, current[field], field, history, rules, reasons, round, holding, held);
  let throttled = false;

  if (cpu !== undefined) {
    let cores = cpu.cores;
    const threshold = policy.cpu.throttlingThreshold;
    const throttling = throttledShare(history.throttled, threshold);
    const throttlingNow =
      history.sameSpec === undefined
        ? throttling
        : throttledShare(history.sameSpec.throttled, threshold);
    throttled = throttling !== undefined || throttlingNow !== undefined;
    if (throttling !== undefined) {
      // Usage under throttling is capped by the limit: the true demand is higher than seen.
      cores = Math.max(cores * (1 + throttling), current.cpuRequest ?? 0);
      reasons.push(
        `CPU throttled: in the worst tenth of its ${formatSpan(history.stepSeconds)} steps, at least ${Math.round(throttling * 100)}% of CFS periods were throttled: request raised above the usage seen, never lowered`,
      );
    }
    // Pods running today's resources are throttled: today's request is below the demand too.
    if (throttlingNow !== undefined)
      cores = Math.max(cores, (current.cpuRequest ?? 0) * (1 + throttlingNow));
    cores = cpuRequestFrom(rules, cores);
    let request: number | undefined = bound(cores, 'cpuRequest', (v) =>
      roundCpu(v, policy.cpu.roundMillicores),
    );
    if (hpa?.cpuUtilization !== undefined && request !== current.cpuRequest) {
      const decision =
        hpaCpu ??
        hpaCpuDecision(hpa, hpa.cpuUtilization, current.cpuRequest, request, policy.hpaCpu);
      reasons.push(decision.reason);
      if (decision.target === undefined) request = current.cpuRequest;
      else hpaCpuTarget = decision.target;
    }
    if (request !== undefined) proposed.cpuRequest = request;
    let limit = cpuLimitFor(request, current, rules, reasons, throttlingNow);
    // A limit set from the request (cpuLimits) may be a cut of today's limit, or a new limit
    // where there is none (a cut from unlimited): a hold holds it.
    if (holding && limit !== undefined && limit < (current.cpuLimit ?? Infinity)) {
      held.push('cpuLimit');
      limit = current.cpuLimit;
    }
    if (limit !== undefined) proposed.cpuLimit = limit;
  }

  if (memory !== undefined) {
    let bytes = memory.bytes;
    if (history.oomKills > 0) {
      const bump = `${Math.round(policy.memory.oomBump * 100)}%`;
      const killsNow = history.sameSpec?.oomKills ?? history.oomKills;
      // Killed at today's limit (or, without one, near today's request): go above it. Pods
      // killed at other resources tell only that their peak was too much for them.
      const today = current.memoryLimit ?? current.memoryRequest ?? 0;
      const killedAt = killsNow > 0 ? today : 0;
      const bumped = Math.max(memory.peak, killedAt) * (1 + policy.memory.oomBump);
      bytes = Math.max(bytes, bumped, today);
      reasons.push(
        killsNow > 0
          ? `${history.oomKills} OOM kill(s) in the window: memory at least ${bump} above the larger of the peak and today's limit`
          : `${history.oomKills} OOM kill(s) in the window, all of pods that ran other resources (gone or from an older rollout): memory at least ${bump} above the peak, never lowered`,
      );
    } else if (history.restarts > 0) {
      bytes = Math.max(bytes, current.memoryLimit ?? 0);
      reasons.push(`${history.restarts} restart(s) in the window: memory not lowered`);
    }
    bytes = roundMemory(Math.max(bytes, rules.memoryFloor), policy.memory.roundMi);
    const round = (v: number): number => roundMemory(v, policy.memory.roundMi);
    if (hpa?.memoryUtilization !== undefined) {
      reasons.push(`HPA ${hpa.name} scales on memory utilization: memory left alone`);
    } else {
      // A limit where there is none is a cut from unlimited: one low-confidence point is not
      // enough for it (a request, which only reserves, may still be added).
      const noNewLimit = current.memoryLimit === undefined && history.confidence === 'low';
      if (noNewLimit)
        reasons.push(
          'no memory limit added: the only usage source is a single low-confidence point',
        );
      // Under a hold (the soak, a fix), no new limit either: with the request following it
      // down, it would be the very cut the hold stops.
      const heldNewLimit = current.memoryLimit === undefined && holding && !noNewLimit;
      if (heldNewLimit) held.push('memoryLimit');
      const limit = noNewLimit || heldNewLimit ? undefined : bound(bytes, 'memoryLimit', round);
      const request = bound(bytes, 'memoryRequest', round);
      // Never a request above the limit, whichever rule held which.
      proposed.memoryLimit = limit;
      proposed.memoryRequest =
        limit !== undefined && request !== undefined ? Math.min(request, limit) : request;
    }
  }

  // A held field with no value today is a limit that was not added, not a value kept.
  const names = (fields: readonly ResourceField[]): string =>
    fields.map((f) => FIELD_NAMES[f]).join(', ');
  const kept = held.filter((f) => current[f] !== undefined);
  const notAdded = held.filter((f) => current[f] === undefined);
  const heldNames = [
    ...(kept.length > 0 ? [`${names(kept)} not lowered`] : []),
    ...(notAdded.length > 0 ? [`${names(notAdded)} not added`] : []),
  ].join(' and ');
  if (fixing && held.length > 0) {
    reasons.push(
      `${heldNames} in this pull request: it fixes ${holdCutsFor.join(', ')}, and a fix ships alone`,
    );
  } else if (ran !== undefined && held.length > 0) {
    reasons.push(
      `${heldNames}: today's resources have run ${formatSpan(ran)}, less than the ${policy.soak} soak (rightsizing.soak) a cut waits for`,
    );
  }
  const changed = changedFields(current, proposed, policy.minChange);
  const failures = failuresOf(history, throttled);
  const fixes = failures.filter((f) => raises(f, current, changed));
  return {
    proposed: { ...current, ...changed },
    changed,
    estimate: { cpu: cpu?.cores, memory: memory?.bytes },
    evidence,
    reasons,
    ...(hpaCpuTarget !== undefined && changed.cpuRequest !== undefined ? { hpaCpuTarget } : {}),
    largestCut: largestCut(current, changed),
    historySeconds,
    ...(failures.length > 0 ? { failures } : {}),
    ...(fixes.length > 0 ? { fixes } : {}),
    ...(!fixing && ran !== undefined && held.length > 0 ? { soak: { ranSeconds: ran, held } } : {}),
    ...(fixing && held.length > 0 ? { heldForFix: held } : {}),
  };
}

const FIELD_NAMES: Readonly<Record<ResourceField, string>> = {
  cpuRequest: 'CPU request',
  cpuLimit: 'CPU limit',
  memoryRequest: 'memory request',
  memoryLimit: 'memory limit',
};

/**
 * How long today's resources have run (seconds), when that is less than the policy's soak;
 * undefined when they have run it, or nobody can tell since when they run.
 */
function unsoakedSeconds(
  history: ContainerHistoryInput,
  rules: ResolvedRightsizing,
): number | undefined {
  if (history.resourcesSince === undefined) return undefined;
  const ran = Math.max(0, history.now - history.resourcesSince);
  return ran < rules.soakSeconds ? ran : undefined;
}

function failuresOf(history: ContainerHistoryInput, throttled: boolean): Failure[] {
  const failures: Failure[] = [];
  // An OOM kill is a restart too: restarts count alone when none was an OOM kill.
  if (history.oomKills > 0) failures.push('OOM kills');
  else if (history.restarts > 0) failures.push('restarts');
  if (throttled) failures.push('CPU throttling');
  return failures;
}

/**
 * Whether `changed` raises the resource a failure is about: a request or limit above today's, or
 * a request where there was none (a new limit is a cut from unlimited, not a raise).
 */
function raises(failure: Failure, current: Resources, changed: Resources): boolean {
  const [request, limit]: readonly ResourceField[] =
    failure === 'CPU throttling' ? ['cpuRequest', 'cpuLimit'] : ['memoryRequest', 'memoryLimit'];
  return [request, limit].some((field) => {
    const next = changed[field];
    const now = current[field];
    return next !== undefined && (now === undefined ? field === request : next > now);
  });
}

/** History covered (seconds) and the short-history margin it earns. */
function spanOf(
  history: ContainerHistoryInput,
  rules: ResolvedRightsizing,
): { historySeconds: number; extraMargin: number } {
  const historySeconds = Math.max(
    historySpanSeconds(history.cpu.flat(), history.stepSeconds),
    historySpanSeconds(history.memory.flat(), history.stepSeconds),
  );
  const extraMargin = shortHistoryMargin(
    historySeconds,
    rules.fullConfidenceSeconds,
    rules.policy.shortHistoryMargin,
  );
  return { historySeconds, extraMargin };
}

function tooShort(
  history: ContainerHistoryInput,
  historySeconds: number,
  rules: ResolvedRightsizing,
): boolean {
  return history.confidence === 'high' && historySeconds < rules.minHistorySeconds;
}

/**
 * The container's CPU estimate as a function of the over-request price, exactly as
 * `recommendContainer` would compute it; undefined when it would propose no CPU (no samples, or
 * less history than the policy asks). The plan solves its one price over these.
 */
export function containerCpuCurve(
  history: ContainerHistoryInput,
  rules: ResolvedRightsizing,
): CpuCurve | undefined {
  const { historySeconds, extraMargin } = spanOf(history, rules);
  if (tooShort(history, historySeconds, rules)) return undefined;
  return cpuCurve(history.cpu.flat(), history.now, rules.cpuModel, extraMargin);
}

/**
 * Applies the confidence rule (a low-confidence source never lowers), the holds (no cut before
 * today's resources have run the soak, nor beside a fix: `holding`, the field goes to `held`) and
 * the step limit (no cut deeper than `maxStep` at once) to a target against today's value.
 */
function bounded(
  target: number,
  current: number | undefined,
  field: ResourceField,
  history: ContainerHistoryInput,
  rules: ResolvedRightsizing,
  reasons: string[],
  round: (v: number) => number,
  holding: boolean,
  held: ResourceField[],
): number {
  if (current === undefined || target >= current) return target;
  const what = FIELD_NAMES[field];
  if (history.confidence === 'low') {
    reasons.push(`${what} not lowered: the only usage source is a single low-confidence point`);
    return current;
  }
  if (holding) {
    held.push(field);
    return current;
  }
  const lowest = round(current * (1 - rules.policy.maxStep));
  if (target < lowest) {
    reasons.push(
      `${what} cut limited to ${Math.round(rules.policy.maxStep * 100)}% in this pull request (history supports lower)`,
    );
    return Math.min(current, lowest);
  }
  return target;
}

/** The p90 share of throttled CFS periods when above `threshold`, else undefined. */
function throttledShare(
  series: readonly (readonly Sample[])[],
  threshold: number,
): number | undefined {
  const shares = series.flat().map((s) => s.v);
  if (shares.length === 0) return undefined;
  const p90 = weightedPercentile(
    shares,
    shares.map(() => 1),
    0.9,
  );
  return p90 > threshold ? p90 : undefined;
}

/**
 * The CPU limit: the policy's ratio when it manages limits, else today's limit, raised to stay at
 * or above the new request and, when the pods running it are throttled (`throttlingNow`, a
 * share), by that share: the limit is what throttles them.
 */
function cpuLimitFor(
  request: number | undefined,
  current: Resources,
  rules: ResolvedRightsizing,
  reasons: string[],
  throttlingNow: number | undefined,
): number | undefined {
  const { policy } = rules;
  const round = (v: number): number => roundCpu(v, policy.cpu.roundMillicores);
  const unthrottled =
    current.cpuLimit !== undefined && throttlingNow !== undefined
      ? round(current.cpuLimit * (1 + throttlingNow))
      : undefined;
  const limit = ratioLimit(request, current, rules, reasons);
  if (unthrottled === undefined || (limit !== undefined && limit >= unthrottled)) return limit;
  reasons.push(
    `CPU limit raised by ${Math.round(throttlingNow! * 100)}%: the pods running it are throttled`,
  );
  return unthrottled;
}

function ratioLimit(
  request: number | undefined,
  current: Resources,
  rules: ResolvedRightsizing,
  reasons: string[],
): number | undefined {
  if (request === undefined) return current.cpuLimit;
  const { policy } = rules;
  if (policy.cpuLimits)
    return roundCpu(request * policy.cpu.limitRatio, policy.cpu.roundMillicores);
  if (current.cpuLimit !== undefined && current.cpuLimit < request) {
    // An existing limit below the new request would be rejected by the API server.
    reasons.push('existing CPU limit raised to stay at or above the new request');
    const ratio =
      current.cpuRequest !== undefined && current.cpuRequest > 0
        ? current.cpuLimit / current.cpuRequest
        : 1;
    return roundCpu(request * Math.max(1, ratio), policy.cpu.roundMillicores);
  }
  return current.cpuLimit;
}

/**
 * Utilization is usage over request, summed over the containers the metric counts: keeping the
 * per-pod CPU at which the HPA scales means target × old request = new target × new request,
 * with the totals of those containers.
 */
export function hpaCpuDecision(
  hpa: HpaTargets,
  utilization: number,
  currentRequest: number | undefined,
  request: number | undefined,
  mode: 'adjust-target' | 'leave',
): HpaCpuDecision {
  if (mode === 'leave') {
    return {
      reason: `HPA ${hpa.name} scales on CPU utilization: CPU left alone (policy hpaCpu: leave)`,
    };
  }
  if (currentRequest === undefined || request === undefined) {
    return {
      reason: `HPA ${hpa.name} scales on CPU utilization and the container has no CPU request today: CPU left alone`,
    };
  }
  if ((hpa.cpuMetrics ?? 1) > 1) {
    return {
      reason: `HPA ${hpa.name} has ${hpa.cpuMetrics} CPU utilization metrics, which one new target cannot keep: CPU left alone`,
    };
  }
  const target = Math.round((utilization * currentRequest) / request);
  if (target < HPA_TARGET_RANGE.min || target > HPA_TARGET_RANGE.max) {
    return {
      reason: `HPA ${hpa.name} scales on CPU utilization: the matching target would be ${target}%, outside ${HPA_TARGET_RANGE.min}..${HPA_TARGET_RANGE.max}%, so CPU is left alone`,
    };
  }
  return {
    target: { from: utilization, to: target },
    reason: `HPA ${hpa.name} scales on CPU utilization: its target moves from ${utilization}% to ${target}% so it scales at the same CPU per pod`,
  };
}

function changedFields(current: Resources, proposed: Resources, minChange: number): Resources {
  const changed: { -readonly [K in ResourceField]?: number } = {};
  for (const field of RESOURCE_FIELDS) {
    const next = proposed[field];
    const now = current[field];
    if (next === undefined || next === now) continue;
    // Memory below peak plus margin is a safety issue: raised however small the step.
    const safetyRaise = field.startsWith('memory') && now !== undefined && next > now;
    if (!safetyRaise && now !== undefined && now > 0 && Math.abs(next - now) / now < minChange) {
      continue;
    }
    changed[field] = next;
  }
  // A request moving alone past its limit would be invalid: carry the limit along.
  for (const [request, limit] of [
    ['cpuRequest', 'cpuLimit'],
    ['memoryRequest', 'memoryLimit'],
  ] as const) {
    const r = changed[request] ?? current[request];
    const l = changed[limit] ?? current[limit];
    if (r !== undefined && l !== undefined && r > l)
      changed[limit] = proposed[limit] !== undefined && proposed[limit] >= r ? proposed[limit] : r;
  }
  return changed;
}

function largestCut(current: Resources, changed: Resources): number {
  let cut = 0;
  for (const field of RESOURCE_FIELDS) {
    const now = current[field];
    const next = changed[field];
    if (now !== undefined && next !== undefined && now > 0 && next < now)
      cut = Math.max(cut, 1 - next / now);
  }
  return cut;
}

function evidenceOf(
  history: ContainerHistoryInput,
  historySeconds: number,
  rules: ResolvedRightsizing,
  percentile: number | undefined,
  memory: { peak: number; margin: number } | undefined,
): Evidence {
  const confidence: Evidence['confidence'] =
    history.confidence === 'low'
      ? 'low'
      : historySeconds >= rules.fullConfidenceSeconds
        ? 'high'
        : 'medium';
  const samples = history.cpu.reduce((n, s) => n + s.length, 0);
  const parts = [
    `${history.cpu.length} pod(s), ${history.stepSeconds}s steps`,
    `CPU: cost-aware level at over-request price ${rules.cpuModel.overRequestCost.toPrecision(3)} cores, recency-weighted (half-life ${rules.policy.cpu.halfLife}), p${percentile ?? '-'}`,
    memory === undefined
      ? 'memory: no samples'
      : // One decimal, not rounded up: peak × (1 + margin) must check by hand against the proposal.
        `memory: peak ${(memory.peak / 2 ** 20).toFixed(1)}Mi + ${Math.round(memory.margin * 1000) / 10}%`,
    `${history.oomKills} OOM kill(s), ${history.restarts} restart(s)`,
  ];
  return {
    window: formatSpan(historySeconds),
    samples,
    ...(percentile !== undefined ? { percentile } : {}),
    confidence,
    detail: parts.join('; '),
  };
}

/** `57600` → `16h`, `1209600` → `14d`, `5400` → `90m`. */
export function formatSpan(seconds: number): string {
  if (seconds >= 86400 && seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds >= 3600) return `${Math.round((seconds / 3600) * 10) / 10}h`;
  return `${Math.round(seconds / 60)}m`;
}
