/** The short summary `tars plan` prints: what was read, what changes, what was found. */
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
  return table(['', ''], rows).split('\n').slice(2).join('\n') + notes;
}
