/**
 * rightsizing: CPU and memory requests and limits per container from usage history, as
 * strategic-merge patches carrying only the resource fields that change, each with its evidence
 * and risk. An HPA scaling on CPU gets its utilization target rescaled in the same pull request,
 * or the CPU is left alone; the change summary says which. A change raising resources for OOM
 * kills, restarts or throttling says which failures it fixes (`Change.fixes`): waves take it
 * first, and its risk counts the failures only against what it also cuts.
 */
import type { KubeObject } from '../../cluster/types.js';
import { arrayField, field, isRecord } from '../../kube/objects.js';
import type { Change, Evidence, Finding, ObjectRef, Risk, Severity } from '../../model/types.js';
import type { Policy } from '../../policy/types.js';
import { formatCpu, formatMemory } from '../../util/quantity.js';
import type { Analyzer, AnalyzerInput, AnalyzerOutput } from '../types.js';
import type { CpuBudget } from './budget.js';
import { rightsizingPolicyOf } from './policy.js';
import { formatSpan, type ContainerRecommendation, type Resources } from './recommend.js';
import {
  fixesOf,
  recommendWorkloads,
  type ContainerResult,
  type WorkloadRecommendation,
} from './workloads.js';

export { DEFAULT_RIGHTSIZING_POLICY, rightsizingPolicyOf } from './policy.js';
export { recommendWorkloads } from './workloads.js';

export const NO_HISTORY_NOTE =
  'Right-sizing skipped: no usage history (pass --prometheus URL, or add *.om files to the snapshot).';

export const rightsizingAnalyzer: Analyzer = {
  id: 'rightsizing',
  description:
    'CPU and memory requests and limits per container from usage history, OOM kills and throttling',
  analyze(input: AnalyzerInput): AnalyzerOutput {
    if (input.history === undefined) return { notes: [NO_HISTORY_NOTE] };
    const { workloads, cpuBudget } = recommendWorkloads(input);
    const changes: Change[] = [];
    const findings: Finding[] = [];
    for (const result of workloads) {
      changes.push(...changesFor(result, input));
      findings.push(...findingsFor(result, input.policy.rollout.phase));
    }
    const notes = notesFor(workloads, input);
    if (cpuBudget !== undefined) notes.push(budgetNote(cpuBudget, proposedCpuOf(workloads)));
    return { changes, findings, notes };
  },
};

function changesFor(result: WorkloadRecommendation, input: AnalyzerInput): Change[] {
  const moving = result.containers.filter(
    (c) => c.recommendation !== undefined && Object.keys(c.recommendation.changed).length > 0,
  );
  if (moving.length === 0) return [];
  const { ref } = result.workload;
  const patch = (init: boolean): Record<string, unknown>[] =>
    moving
      .filter((c) => c.container.init === init)
      .map((c) => ({
        name: c.container.name,
        resources: resourcesPatch(c.recommendation!.changed),
      }));
  const podSpec: Record<string, unknown> = {};
  if (patch(true).length > 0) podSpec.initContainers = patch(true);
  if (patch(false).length > 0) podSpec.containers = patch(false);
  const template = { spec: podSpec };
  const spec = ref.kind === 'CronJob' ? { jobTemplate: { spec: { template } } } : { template };
  const hpaMove = moving.find((c) => c.recommendation!.hpaCpuTarget !== undefined)?.recommendation
    ?.hpaCpuTarget;
  const fixes = fixesOf(moving);
  const changes: Change[] = [
    {
      ...rightsizingPatch(ref, spec),
      summary: summaryOf(ref.name, moving, result),
      ...magnitudeOf(moving),
      evidence: mergedEvidence(moving),
      risk: riskOf(moving, result, rightsizingPolicyOf(input.policy).maxStep),
      ...(fixes.length > 0 ? { fixes } : {}),
    },
  ];
  if (hpaMove !== undefined && result.hpa !== undefined) {
    changes.push({
      ...hpaChange(result.hpa.object, hpaMove.to, hpaMove.from, mergedEvidence(moving)),
      workload: ref,
    });
  }
  return changes;
}

/** What every right-sizing change shares: its id and a strategic-merge patch of `spec` on `ref`. */
function rightsizingPatch(
  ref: ObjectRef,
  spec: Record<string, unknown>,
): Pick<Change, 'id' | 'concern' | 'action' | 'target' | 'manifest'> {
  return {
    id: `rightsizing/${ref.namespace}/${ref.kind}/${ref.name}`,
    concern: 'rightsizing',
    action: 'patch',
    target: ref,
    manifest: {
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      metadata: { name: ref.name, namespace: ref.namespace },
      spec,
    },
  };
}

/** Largest |after − before| / before over the changed fields that had a value before. */
function magnitudeOf(moving: readonly ContainerResult[]): { magnitude?: number } {
  let largest: number | undefined;
  for (const c of moving) {
    for (const [key] of FIELD_LABELS) {
      const before = c.current[key];
      const after = c.recommendation!.changed[key];
      if (before === undefined || after === undefined || before <= 0) continue;
      largest = Math.max(largest ?? 0, Math.abs(after - before) / before);
    }
  }
  return largest === undefined ? {} : { magnitude: Math.round(largest * 1000) / 1000 };
}

function resourcesPatch(changed: Resources): Record<string, Record<string, string>> {
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  if (changed.cpuRequest !== undefined) requests.cpu = formatCpu(changed.cpuRequest);
  if (changed.memoryRequest !== undefined) requests.memory = formatMemory(changed.memoryRequest);
  if (changed.cpuLimit !== undefined) limits.cpu = formatCpu(changed.cpuLimit);
  if (changed.memoryLimit !== undefined) limits.memory = formatMemory(changed.memoryLimit);
  return {
    ...(Object.keys(requests).length > 0 ? { requests } : {}),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
  };
}

const FIELD_LABELS = [
  ['cpuRequest', 'CPU request', formatCpu],
  ['cpuLimit', 'CPU limit', formatCpu],
  ['memoryRequest', 'memory request', formatMemory],
  ['memoryLimit', 'memory limit', formatMemory],
] as const;

function summaryOf(
  name: string,
  moving: readonly ContainerResult[],
  result: WorkloadRecommendation,
): string {
  const parts = moving.map((c) => {
    const rec = c.recommendation!;
    const fields = FIELD_LABELS.filter(([key]) => rec.changed[key] !== undefined).map(
      ([key, label, format]) =>
        `${label} ${c.current[key] !== undefined ? format(c.current[key]) : 'unset'} → ${format(rec.changed[key]!)}`,
    );
    return `${c.container.name}: ${fields.join(', ')}`;
  });
  const hpaReasons = [
    ...new Set(
      moving.flatMap((c) => c.recommendation!.reasons.filter((r) => r.startsWith('HPA '))),
    ),
  ];
  const hpaNote =
    result.hpa !== undefined && hpaReasons.length > 0 ? `; ${hpaReasons.join('; ')}` : '';
  return `Right-size ${name} (${parts.join('; ')})${hpaNote}`;
}

function mergedEvidence(results: readonly ContainerResult[]): Evidence {
  const evidences = results.map((c) => c.recommendation!.evidence);
  const order = { low: 0, medium: 1, high: 2 } as const;
  const weakest = evidences.reduce((a, b) => (order[b.confidence] < order[a.confidence] ? b : a));
  const percentiles = evidences
    .map((e) => e.percentile)
    .filter((p): p is number => p !== undefined);
  return {
    window: weakest.window,
    samples: evidences.reduce((n, e) => n + e.samples, 0),
    ...(percentiles.length > 0 ? { percentile: Math.max(...percentiles) } : {}),
    confidence: weakest.confidence,
    detail: results
      .map((c) => {
        const reasons = c.recommendation!.reasons;
        return `${c.container.name}: ${c.recommendation!.evidence.detail ?? ''}${reasons.length > 0 ? `; ${reasons.join('; ')}` : ''}`;
      })
      .join(' | '),
  };
}

function riskOf(
  moving: readonly ContainerResult[],
  result: WorkloadRecommendation,
  maxStep: number,
): Risk {
  const reasons: string[] = [];
  let score = 0.1;
  const cut = Math.max(...moving.map((c) => c.recommendation!.largestCut));
  if (cut > 0) {
    score += 0.3 * Math.min(1, cut / Math.max(maxStep, 0.01));
    reasons.push(`requests or limits cut by up to ${Math.round(cut * 100)}%`);
  } else {
    reasons.push('only raises or first-time requests');
  }
  const confidence = mergedEvidence(moving).confidence;
  if (confidence !== 'high') {
    score += confidence === 'low' ? 0.3 : 0.15;
    reasons.push(`${confidence} confidence history`);
  }
  if (result.hpa !== undefined) {
    score += 0.2;
    reasons.push(`scaled by HPA ${result.hpa.name}`);
  }
  const failures = [...new Set(moving.flatMap((c) => c.recommendation!.failures ?? []))];
  const fixed = [...new Set(moving.flatMap((c) => c.recommendation!.fixes ?? []))];
  if (fixed.length > 0) {
    // A raise cannot starve a container: the fix itself adds no risk, and goes first.
    reasons.push(
      `raises resources for ${fixed.join(', ')}: a fix, which waves take before any change that fixes nothing`,
    );
  }
  if (cut > 0 && failures.length > 0) {
    // What the failures say about the container weighs on what is cut, not on what is raised.
    score += 0.2;
    reasons.push(`cuts despite ${failures.join(', ')} in the window`);
  }
  return { score: Math.round(Math.min(1, score) * 100) / 100, reasons };
}

function hpaChange(hpa: KubeObject, to: number, from: number, evidence: Evidence): Change {
  const ref: ObjectRef = {
    apiVersion: hpa.apiVersion,
    kind: hpa.kind,
    namespace: hpa.metadata.namespace,
    name: hpa.metadata.name,
  };
  // `metrics` has no merge key: a strategic-merge patch replaces the list, so it carries all of it.
  const v1 = field(hpa, 'spec', 'targetCPUUtilizationPercentage') !== undefined;
  const metrics = arrayField(hpa, 'spec', 'metrics');
  const spec: Record<string, unknown> = v1
    ? { targetCPUUtilizationPercentage: to }
    : {
        metrics: metrics.map((m) => {
          if (!isRecord(m)) return m;
          const key = isRecord(m.resource) ? 'resource' : 'containerResource';
          const source = m[key];
          if (!isRecord(source) || source.name !== 'cpu' || !isRecord(source.target)) return m;
          return {
            ...m,
            [key]: { ...source, target: { ...source.target, averageUtilization: to } },
          };
        }),
      };
  const patch = rightsizingPatch(ref, spec);
  // The same fields as they are today: what a rollback of a partial object commits.
  const previous = {
    ...patch.manifest,
    spec: v1 ? { targetCPUUtilizationPercentage: from } : { metrics },
  };
  return {
    ...patch,
    previous,
    magnitude: Math.round((Math.abs(to - from) / from) * 1000) / 1000,
    summary: `HPA ${ref.name}: CPU utilization target ${from}% → ${to}%, so it scales at the same CPU per pod after right-sizing`,
    evidence,
    risk: { score: 0.3, reasons: ['changes when the HPA scales only through the new request'] },
  };
}

/**
 * What to do about a failure the plan proposes to fix by raising `what` (memory, CPU): merge that
 * change, which waves take before any change that fixes nothing; in phases 1 and 2 no pull request
 * carries it.
 */
function mergeTheFix(what: string, phase: Policy['rollout']['phase']): string {
  return phase >= 3
    ? `Merge the right-sizing pull request that raises its ${what} (waves take fixes before any change that fixes nothing)`
    : `Apply the plan's right-sizing change that raises its ${what} (rollout phase ${phase} opens no right-sizing pull request)`;
}

/** Findings raised by a container's recommendation reasons, in this order per container. */
const REASON_FINDINGS: readonly {
  readonly check: string;
  readonly severity: Severity;
  readonly matches: (reason: string) => boolean;
  readonly remediation: (rec: ContainerRecommendation, phase: Policy['rollout']['phase']) => string;
}[] = [
  {
    check: 'rightsizing.oom-killed',
    severity: 'high',
    matches: (r) => r.includes('OOM kill'),
    remediation: (rec, phase) =>
      rec.fixes?.includes('OOM kills')
        ? `${mergeTheFix('memory', phase)}, or raise the memory limit by hand.`
        : rec.reasons.some((r) => r.startsWith('HPA ') && r.includes('memory left alone'))
          ? 'Raise the memory limit by hand: an HPA scales this workload on memory, so right-sizing leaves it alone.'
          : "No raise is proposed: the kills were of pods that ran other resources, and today's memory is above their peak. A kill at today's limit raises it on the next run.",
  },
  {
    check: 'rightsizing.cpu-throttled',
    severity: 'medium',
    matches: (r) => r.startsWith('CPU throttled'),
    remediation: (rec, phase) =>
      rec.fixes?.includes('CPU throttling')
        ? `${mergeTheFix('CPU', phase)}, or raise the CPU request by hand; remove the CPU limit unless it is needed.`
        : 'Raise the CPU request; remove the CPU limit unless it is needed.',
  },
  {
    check: 'rightsizing.hpa-resource-left-alone',
    severity: 'info',
    matches: (r) => r.startsWith('HPA ') && r.includes('left alone'),
    remediation: () => 'Review the HPA target and the request together.',
  },
];

function findingsFor(result: WorkloadRecommendation, phase: Policy['rollout']['phase']): Finding[] {
  const findings: Finding[] = [];
  const { ref } = result.workload;
  for (const c of result.containers) {
    const rec = c.recommendation;
    if (rec === undefined) continue;
    for (const { check, severity, matches, remediation } of REASON_FINDINGS) {
      const reason = rec.reasons.find(matches);
      if (reason === undefined) continue;
      findings.push({
        check,
        concern: 'rightsizing',
        severity,
        resource: ref,
        message: `container ${c.container.name}: ${reason}`,
        remediation: remediation(rec, phase),
      });
    }
  }
  return findings;
}

/** The CPU requests of the containers the plan proposes for: today's and the proposal's. */
interface ProposedCpu {
  readonly containers: number;
  readonly today: number;
  readonly proposed: number;
}

function proposedCpuOf(results: readonly WorkloadRecommendation[]): ProposedCpu {
  const proposing = results
    .flatMap((r) => r.containers)
    .filter((c) => c.recommendation !== undefined && c.recommendation.skipped === undefined);
  return {
    containers: proposing.length,
    today: proposing.reduce((sum, c) => sum + (c.current.cpuRequest ?? 0), 0),
    proposed: proposing.reduce((sum, c) => sum + (c.recommendation!.proposed.cpuRequest ?? 0), 0),
  };
}

/**
 * The plan-wide CPU budget, so a reviewer can check the total against VPA's. The budget is on the
 * estimates; the requests in the patches differ from them by the step limit, the holds, throttling evidence
 * and HPA rules, so the note gives those too: a reviewer adds up the patches, not the estimates.
 */
export function budgetNote(budget: CpuBudget, proposal?: ProposedCpu): string {
  const totals = `CPU estimates from history for ${budget.containers} container(s) total ${formatCpu(budget.proposedCores)} against ${formatCpu(budget.budgetCores)} from VPA's default recommender on the same history`;
  const how =
    budget.proposedCores > budget.budgetCores
      ? `: the percentile and recent-window floors alone ask for more, and they stand`
      : ` (over-request price ${budget.price.toPrecision(3)} cores, solved for the plan)`;
  const requests =
    proposal === undefined
      ? ''
      : `; after the step limit, held cuts, throttling evidence and HPA rules, the proposed requests of ${proposal.containers} container(s) total ${formatCpu(proposal.proposed)}, from ${formatCpu(proposal.today)} today`;
  return `right-sizing: ${totals}${how}${requests}`;
}

/** Containers a note names before it counts the rest. */
const NAMED_IN_NOTES = 5;

function notesFor(results: readonly WorkloadRecommendation[], input: AnalyzerInput): string[] {
  const notes: string[] = [];
  const all = results.flatMap((r) => r.containers);
  const noSeries = results.flatMap(({ workload, containers }) =>
    containers
      .filter((c) => c.recommendation === undefined)
      .map((c) => `${workload.ref.namespace}/${workload.ref.name} ${c.container.name}`),
  );
  const skipped = all.filter((c) => c.recommendation?.skipped !== undefined);
  if (input.history?.confidence === 'low') {
    notes.push(
      `right-sizing: ${input.history.source} is a single point in time: requests may be raised, never lowered`,
    );
  }
  if (noSeries.length > 0) {
    notes.push(
      `right-sizing: no usage series for ${noSeries.length} container(s): ${named(noSeries)}`,
    );
  }
  if (skipped.length > 0) {
    notes.push(
      `right-sizing skipped for ${skipped.length} container(s): ${[...new Set(skipped.map((c) => c.recommendation!.skipped))].join('; ')}`,
    );
  }
  const soaking = results.flatMap(({ workload, containers }) =>
    containers.flatMap((c) => {
      const soak = c.recommendation?.soak;
      return soak === undefined
        ? []
        : [
            `${workload.ref.namespace}/${workload.ref.name} ${c.container.name} (${formatSpan(soak.ranSeconds)})`,
          ];
    }),
  );
  const heldForFix = results.flatMap(({ workload, containers }) =>
    containers
      .filter((c) => c.recommendation?.heldForFix !== undefined)
      .map((c) => `${workload.ref.namespace}/${workload.ref.name} ${c.container.name}`),
  );
  if (heldForFix.length > 0) {
    notes.push(
      `right-sizing: cuts held for ${heldForFix.length} container(s) whose workload gets a fix, which ships alone: ${named(heldForFix)}`,
    );
  }
  if (soaking.length > 0) {
    notes.push(
      `right-sizing: cuts held for ${soaking.length} container(s) until today's resources have run the ${rightsizingPolicyOf(input.policy).soak} soak (rightsizing.soak): ${named(soaking)}`,
    );
  }
  return notes;
}

/** The first NAMED_IN_NOTES items, then how many more. */
function named(items: readonly string[]): string {
  const more = items.length > NAMED_IN_NOTES ? ` and ${items.length - NAMED_IN_NOTES} more` : '';
  return `${items.slice(0, NAMED_IN_NOTES).join(', ')}${more}`;
}
