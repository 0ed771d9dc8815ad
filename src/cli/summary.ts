/** The short summary `tars plan` prints: what was read, what changes, what was found. */
import { byCodePoint } from '../util/compare.js';
import { notAnalysedInNodeCounts, podsLeftOutOfNodeCounts } from '../model/cost-nodes.js';
import type { DesiredState } from '../model/types.js';
import { table } from './output.js';

export interface PlanSummary {
  readonly cluster: string;
  readonly source: string;
  readonly objects: number;
  readonly workloads: number;
  readonly managedBy: Readonly<Record<string, number>>;
  readonly changes: Readonly<Record<string, number>>;
  readonly findings: Readonly<Record<string, number>>;
  readonly skippedKinds: readonly string[];
  readonly notes: readonly string[];
  readonly outDir?: string;
  readonly files?: number;
  readonly cost?: CostSummary;
}

export interface CostSummary {
  readonly currency: string;
  readonly todayPerMonth: number;
  readonly proposedPerMonth: number;
  readonly nodes: {
    readonly today: number;
    readonly packedToday: number;
    readonly packedProposed: number;
    /** Pods of the proposal that fit no node shape, left out of `packedProposed`. */
    readonly unplaceable: number;
    /** Pods of today's requests that fit no node shape, left out of `packedToday`. */
    readonly unplaceableToday: number;
    /** What both packed counts hold besides the analysed workloads (not in the money). */
    readonly notAnalysed?: { readonly pods: number; readonly daemonSets: number };
  };
  readonly workloads: readonly {
    /** `kind/namespace/name`, so two kinds with one name differ. */
    readonly workload: string;
    readonly replicas: number;
    readonly todayPerMonth: number;
    readonly proposedPerMonth: number;
  }[];
}

const cents = (x: number): number => Math.round(x * 100) / 100;

function costSummary(model: DesiredState): CostSummary | undefined {
  const cost = model.cost;
  if (cost === undefined) return undefined;
  return {
    currency: cost.currency,
    todayPerMonth: cents(cost.today.total),
    proposedPerMonth: cents(cost.proposed.total),
    nodes: {
      today: cost.nodes.today,
      packedToday: cost.nodes.packedToday,
      packedProposed: cost.nodes.packedProposed,
      unplaceable: cost.nodes.unplaceable,
      unplaceableToday: cost.nodes.unplaceableToday ?? 0,
      ...(cost.nodes.notAnalysed !== undefined ? { notAnalysed: cost.nodes.notAnalysed } : {}),
    },
    workloads: cost.workloads.map((w) => ({
      workload: `${w.ref.kind}/${w.ref.namespace ?? ''}/${w.ref.name}`,
      replicas: w.replicas,
      todayPerMonth: cents(w.today.total),
      proposedPerMonth: cents(w.proposed.total),
    })),
  };
}

/**
 * Per workload (kind/namespace/name), today → proposed per month; the biggest savings first (ties
 * by label, compared by code point so the order is the same in every locale), then the totals.
 */
export function costTable(cost: CostSummary): string {
  const money = (x: number) => x.toFixed(2);
  const rows = [...cost.workloads]
    .sort(
      (a, b) =>
        cents(b.todayPerMonth - b.proposedPerMonth) - cents(a.todayPerMonth - a.proposedPerMonth) ||
        byCodePoint(a.workload, b.workload),
    )
    .map((w) => [
      w.workload,
      String(w.replicas),
      money(w.todayPerMonth),
      money(w.proposedPerMonth),
      money(w.todayPerMonth - w.proposedPerMonth),
    ]);
  rows.push([
    'total',
    '',
    money(cost.todayPerMonth),
    money(cost.proposedPerMonth),
    money(cost.todayPerMonth - cost.proposedPerMonth),
  ]);
  const header = [
    'workload',
    'replicas',
    `today ${cost.currency}/month`,
    `proposed ${cost.currency}/month`,
    'saving',
  ];
  return `${table(header, rows)}${nodeCounts(cost.nodes)}\n`;
}

function nodeCounts(nodes: CostSummary['nodes']): string {
  // No Node objects (a snapshot without them, or no right to list them): no shape to pack onto.
  if (nodes.today === 0) return 'nodes: none in the snapshot, so no node count';
  const notes = [notAnalysedInNodeCounts(nodes), podsLeftOutOfNodeCounts(nodes)].filter(
    (n): n is string => n !== undefined,
  );
  return [
    `nodes: ${nodes.today} today; first-fit-decreasing packs today's requests onto ${nodes.packedToday}, the proposal onto ${nodes.packedProposed}`,
    ...notes,
  ].join('; ');
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

export function summarize(
  model: DesiredState,
  written?: { dir: string; files: number },
): PlanSummary {
  return {
    cluster: model.cluster.name,
    source: model.cluster.source,
    objects: model.inputs.objects,
    workloads: model.workloads.length,
    managedBy: countBy(model.workloads, (w) => w.managedBy.tool),
    changes: countBy(model.changes, (c) => `${c.concern} ${c.action}`),
    findings: countBy(model.findings, (f) => f.severity),
    skippedKinds: model.inputs.skipped.map((s) => `${s.kind} (${s.reason})`),
    notes: model.notes,
    ...(written ? { outDir: written.dir, files: written.files } : {}),
    ...(model.cost !== undefined ? { cost: costSummary(model)! } : {}),
  };
}

export function summaryTable(summary: PlanSummary): string {
  const rows: string[][] = [
    ['cluster', `${summary.cluster} (${summary.source}, ${summary.objects} objects)`],
    [
      'workloads',
      `${summary.workloads} (${
        Object.entries(summary.managedBy)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'none'
      })`,
    ],
  ];
  for (const [what, n] of Object.entries(summary.changes)) rows.push(['change', `${what}: ${n}`]);
  for (const [severity, n] of Object.entries(summary.findings))
    rows.push(['findings', `${severity}: ${n}`]);
  if (summary.skippedKinds.length > 0)
    rows.push(['skipped kinds', summary.skippedKinds.join(', ')]);
  if (summary.outDir !== undefined)
    rows.push(['written', `${summary.files} files in ${summary.outDir}`]);
  const notes = summary.notes.map((n) => `note: ${n}\n`).join('');
  const cost = summary.cost !== undefined ? `\n${costTable(summary.cost)}` : '';
  return table(['', ''], rows).split('\n').slice(2).join('\n') + cost + notes;
}
