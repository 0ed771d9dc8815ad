/**
 * cost: monthly cost of today's requests and of the right-sizing proposal, per workload and for
 * the cluster, node count after bin-packing (with what the policy does not analyse, which takes
 * node capacity all the same), spot candidates. The figures themselves are
 * `costReportOf(input)` (for the model's `cost` field and the plan summary's table); the
 * analyzer adds one note with the totals and a finding per spot candidate.
 */
import { notAnalysedInNodeCounts } from '../../model/cost-nodes.js';
import type { CostReport, Finding } from '../../model/types.js';
import type { Analyzer, AnalyzerInput, AnalyzerOutput } from '../types.js';
import type { Resources } from '../rightsizing/recommend.js';
import { recommendWorkloads } from '../rightsizing/workloads.js';
import { costReport, spotSaving } from './compute.js';
import { costPolicyOf } from './prices.js';

export { costReport, podDemand, spotSaving, type ProposalLookup } from './compute.js';
export { DEFAULT_COST_POLICY, costPolicyOf } from './prices.js';
export { firstFitDecreasing, packPodGroups } from './binpack.js';

/** The cost report of the input, with right-sizing's proposal when there is usage history. */
export function costReportOf(input: AnalyzerInput): CostReport {
  const proposals = new Map<string, Resources>();
  for (const result of recommendWorkloads(input).workloads) {
    for (const c of result.containers) {
      if (c.recommendation !== undefined) {
        proposals.set(
          `${result.workload.ref.namespace}/${result.workload.ref.kind}/${result.workload.ref.name}/${c.container.name}`,
          c.recommendation.proposed,
        );
      }
    }
  }
  return costReport(input.snapshot.objects, input.workloads, costPolicyOf(input.policy), (w, c) =>
    proposals.get(`${w.ref.namespace}/${w.ref.kind}/${w.ref.name}/${c.name}`),
  );
}

export const costAnalyzer: Analyzer = {
  id: 'cost',
  description:
    "Monthly cost of today's requests and of the proposal, node count after bin-packing, spot candidates",
  analyze(input: AnalyzerInput): AnalyzerOutput {
    const report = costReportOf(input);
    const money = (x: number): string => `${x.toFixed(2)} ${report.currency}`;
    const notAnalysed = notAnalysedInNodeCounts(report.nodes);
    const nodes =
      report.nodes.today === 0
        ? 'nodes: none in the snapshot, so no node count'
        : `nodes: ${report.nodes.today} today, ${report.nodes.packedToday} packed with today's requests, ${report.nodes.packedProposed} with the proposal` +
          (notAnalysed === undefined ? '' : `; ${notAnalysed}`);
    const notes = [
      `cost: ${money(report.today.total)}/month for today's requests, ${money(report.proposed.total)}/month proposed; ${nodes}`,
    ];
    if (input.history === undefined)
      notes.push('cost: no usage history, so the proposal equals today');
    const findings: Finding[] = report.workloads
      .filter((w) => w.spotCandidate)
      .map((w) => ({
        check: 'cost.spot-candidate',
        concern: 'rightsizing',
        severity: 'info',
        resource: w.ref,
        message: `${w.ref.name} is stateless, runs ${w.replicas} replicas behind a PodDisruptionBudget: spot capacity would save about ${money(spotSaving(w, report.prices.spotDiscount))}/month`,
        remediation:
          'Schedule it onto a spot/preemptible node pool (node selector or affinity plus a toleration).',
      }));
    return { notes, findings, cost: report };
  },
};
