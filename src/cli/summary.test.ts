import { describe, expect, it } from 'vitest';
import { costModel } from '../gitops/fixtures/cost-model.js';
import type { DesiredState } from '../model/types.js';
import { costTable, summarize, summaryTable } from './summary.js';

/** The cells of a plain-text table line (columns are at least two spaces apart). */
const cells = (line: string): string[] => line.trim().split(/\s{2,}/);

describe('the plan summary cost table', () => {
  // Figures of the fixture, by hand (see src/gitops/fixtures/cost-model.ts), biggest saving first:
  //   Deployment/shop/api   2 replicas  49.64 → 11.68, saving 37.96
  //   StatefulSet/shop/api  1 replica   13.87 →  9.49, saving  4.38
  //   Deployment/shop/web   1 replica   12.41 → 12.41, saving  0.00
  //   total                             75.92 → 33.58, saving 42.34 (49.64 + 13.87 + 12.41 and
  //                                     11.68 + 9.49 + 12.41)
  const summary = summarize(costModel());
  const lines = costTable(summary.cost!).trimEnd().split('\n');

  it('has a row per workload labelled kind/namespace/name, biggest saving first, then the total', () => {
    expect(cells(lines[0])).toEqual([
      'workload',
      'replicas',
      'today USD/month',
      'proposed USD/month',
      'saving',
    ]);
    expect(lines.slice(2, -1).map(cells)).toEqual([
      ['Deployment/shop/api', '2', '49.64', '11.68', '37.96'],
      ['StatefulSet/shop/api', '1', '13.87', '9.49', '4.38'],
      ['Deployment/shop/web', '1', '12.41', '12.41', '0.00'],
      ['total', '75.92', '33.58', '42.34'],
    ]);
  });

  it('counts the nodes today and after bin-packing', () => {
    expect(lines.at(-1)).toBe(
      "nodes: 3 today; first-fit-decreasing packs today's requests onto 2, the proposal onto 1",
    );
  });

  const nodesLine = (nodes: NonNullable<DesiredState['cost']>['nodes']): string | undefined => {
    const model = costModel();
    const cost = costTable(summarize({ ...model, cost: { ...model.cost!, nodes } }).cost!);
    return cost.trimEnd().split('\n').at(-1);
  };

  it('says there is no node count when the snapshot has no Node objects, not 0 nodes', () => {
    expect(
      nodesLine({
        today: 0,
        packedToday: 0,
        packedProposed: 0,
        unplaceable: 4,
        unplaceableToday: 4,
      }),
    ).toBe('nodes: none in the snapshot, so no node count');
  });

  it('names the pods that fit no node shape, which the counts leave out', () => {
    expect(
      nodesLine({
        today: 3,
        packedToday: 1,
        packedProposed: 2,
        unplaceable: 0,
        unplaceableToday: 1,
      }),
    ).toBe(
      "nodes: 3 today; first-fit-decreasing packs today's requests onto 1, the proposal onto 2; 1 pod of today's requests fits no node shape and is left out of the count",
    );
    expect(
      nodesLine({
        today: 3,
        packedToday: 1,
        packedProposed: 1,
        unplaceable: 2,
        unplaceableToday: 3,
      }),
    ).toBe(
      "nodes: 3 today; first-fit-decreasing packs today's requests onto 1, the proposal onto 1; 3 pods of today's requests and 2 of the proposal fit no node shape and are left out of the counts",
    );
  });

  it('says the counts include what the policy does not analyse', () => {
    const base = { today: 3, packedToday: 2, packedProposed: 2, unplaceable: 0 };
    expect(nodesLine({ ...base, notAnalysed: { pods: 12, daemonSets: 3 } })).toBe(
      "nodes: 3 today; first-fit-decreasing packs today's requests onto 2, the proposal onto 2; both counts include 12 pods and 3 DaemonSets the policy does not analyse, as they run today",
    );
    expect(
      nodesLine({ ...base, unplaceableToday: 1, notAnalysed: { pods: 0, daemonSets: 1 } }),
    ).toBe(
      "nodes: 3 today; first-fit-decreasing packs today's requests onto 2, the proposal onto 2; both counts include 1 DaemonSet the policy does not analyse, as it runs today; 1 pod of today's requests fits no node shape and is left out of the count",
    );
  });

  it('the summary data names the kind too, and the printed summary carries the table', () => {
    expect(summary.cost!.workloads.map((w) => w.workload).sort()).toEqual([
      'Deployment/shop/api',
      'Deployment/shop/web',
      'StatefulSet/shop/api',
    ]);
    expect(summary.cost!.todayPerMonth).toBe(75.92);
    expect(summary.cost!.proposedPerMonth).toBe(33.58);
    expect(summaryTable(summary)).toContain(costTable(summary.cost!));
  });

  it('has no cost table without a cost report', () => {
    expect(summarize(costModel({ cost: false })).cost).toBeUndefined();
  });
});
