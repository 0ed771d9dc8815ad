import { describe, expect, it } from 'vitest';
import { smallModel } from '../charts/fixtures/small-model.js';
import { costModel } from '../gitops/fixtures/cost-model.js';
import type { DesiredState } from '../model/types.js';
import { escapeHtml } from './html.js';
import { renderDashboard } from './render.js';

const MARKUP = `<script>alert("x")</script><img src=x onerror='alert(1)'>&amp;`;
const at = new Date('2026-12-01T08:30:00Z');

/** The small model with markup in every kind of free text the page shows. */
function modelWithMarkup(): DesiredState {
  const base = smallModel();
  const [first, ...rest] = base.workloads;
  const [change, ...others] = base.changes;
  return {
    ...base,
    cluster: { ...base.cluster, name: `prod ${MARKUP}` },
    inputs: { ...base.inputs, skipped: [{ kind: 'Secret', reason: 'error', message: MARKUP }] },
    workloads: [
      {
        ...first,
        managedBy: { tool: 'helm', name: `release ${MARKUP}` },
        health: { state: 'unhealthy', reasons: [`reason ${MARKUP}`] },
      },
      ...rest,
    ],
    changes: [
      {
        ...change,
        summary: `summary ${MARKUP}`,
        risk: { score: 0.25, reasons: [`risk ${MARKUP}`] },
        evidence: { window: '7d', samples: 10, confidence: 'low', detail: `detail ${MARKUP}` },
      },
      ...others,
    ],
    findings: base.findings.map((f) => ({
      ...f,
      message: `message ${MARKUP}`,
      remediation: `remediation ${MARKUP}`,
    })),
    notes: [`note ${MARKUP}`],
  };
}

describe('renderDashboard', () => {
  it('escapes every text from the model: none becomes markup', () => {
    const page = renderDashboard({
      plan: { model: modelWithMarkup(), plannedAt: at, warnings: [`warning ${MARKUP}`] },
      failure: { message: `failure ${MARKUP}`, at },
    });
    for (const prefix of [
      'prod',
      'release',
      'reason',
      'summary',
      'risk',
      'detail',
      'message',
      'remediation',
      'note',
      'warning',
      'failure',
    ]) {
      expect(page, prefix).toContain(`${prefix} ${escapeHtml(MARKUP)}`);
    }
    expect(page).toContain(escapeHtml(`skipped Secret: error (${MARKUP})`));
    // The page's own script tag is its only one; no element carries an event handler or style.
    expect(page.match(/<script/g)).toEqual(['<script']);
    expect(page).not.toContain('<img');
    // (Inside a tag: the escaped text holds `onerror=` as text, after `&lt;`.)
    expect(page).not.toMatch(/<[a-z][^>]*\son[a-z]+=/i);
    expect(page).not.toMatch(/<[a-z][^>]*\sstyle=/i);
  });

  it('shows the facts of the plan, its counts, and when it was made', () => {
    const model = smallModel();
    const page = renderDashboard({
      plan: { model, plannedAt: at, warnings: [] },
      cadence: 'every 15m',
    });
    expect(page).toContain('<h1>prod-eu</h1>');
    expect(page).toContain('<time datetime="2026-12-01T08:30:00.000Z">2026-12-01 08:30:00 UTC');
    expect(page).toContain('every 15m');
    expect(page).toContain('3: gradual migration, wave 1');
    expect(page.match(/class="change"/g)).toHaveLength(model.changes.length);
    expect(page.match(/class="finding"/g)).toHaveLength(model.findings.length);
    expect(page.match(/class="workload"/g)).toHaveLength(model.workloads.length);
    const takeovers = model.changes.filter((c) => c.concern === 'takeover').length;
    expect(takeovers).toBeGreaterThan(1);
    expect(page).toContain(`<span>takeover</span> <b>${takeovers}</b>`);
    expect(page).toContain('<span>medium</span> <b>1</b>');
    expect(page).not.toContain('id="cost"');
    expect(page).not.toContain('id="replan-error"');
  });

  it('shows the cost table when the model has a cost report', () => {
    const model = costModel({ cost: true });
    const page = renderDashboard({ plan: { model, plannedAt: at, warnings: [] } });
    const { cost } = model;
    expect(cost).toBeDefined();
    const saving = cost!.today.total - cost!.proposed.total;
    expect(page).toContain('id="cost"');
    for (const value of [cost!.today.total, cost!.proposed.total, saving]) {
      expect(page).toContain(`${value.toFixed(2)} ${cost!.currency}`);
    }
  });

  it('lists the cost of each workload, the biggest saving first', () => {
    const model = costModel({ cost: true });
    const page = renderDashboard({ plan: { model, plannedAt: at, warnings: [] } });
    const rows = [...page.matchAll(/<tr class="workload-cost">([\s\S]*?)<\/tr>/g)].map((m) =>
      [...m[1].matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => c[1].trim()),
    );
    // Deployment api saves 37.96, StatefulSet api 4.38, web nothing.
    expect(rows).toEqual([
      ['Deployment shop/api', '2', '49.64 USD', '11.68 USD', '37.96 USD'],
      ['StatefulSet shop/api', '1', '13.87 USD', '9.49 USD', '4.38 USD'],
      ['Deployment shop/web', '1', '12.41 USD', '12.41 USD', '0.00 USD'],
    ]);
  });

  it('shows a saving that rounds to nothing as 0.00, never -0.00', () => {
    const model = costModel({ cost: true });
    const report = model.cost!;
    // 0.1 + 0.2 is 0.30000000000000004: proposed a hair above today, a saving of -5.6e-17.
    const even = { cpu: 0.3, memory: 0, storage: 0, total: 0.3 };
    const hair = { cpu: 0.1 + 0.2, memory: 0, storage: 0, total: 0.1 + 0.2 };
    const page = renderDashboard({
      plan: {
        model: {
          ...model,
          cost: {
            ...report,
            today: even,
            proposed: hair,
            workloads: report.workloads.map((w) => ({ ...w, today: even, proposed: hair })),
          },
        },
        plannedAt: at,
        warnings: [],
      },
    });
    expect(page).not.toContain('-0.00');
    expect(page).toContain('<td class="num">0.00 USD</td>');
  });

  it('says how many spot candidates there are in words that fit the count', () => {
    const model = costModel({ cost: true });
    const report = model.cost!;
    const withCandidates = (n: number) =>
      renderDashboard({
        plan: {
          model: {
            ...model,
            cost: {
              ...report,
              spotSavings: n * 1.5,
              workloads: report.workloads.map((w, i) => ({ ...w, spotCandidate: i < n })),
            },
          },
          plannedAt: at,
          warnings: [],
        },
      }).replace(/\s+/g, ' ');
    expect(withCandidates(0)).toContain('No workload is a candidate for spot capacity.');
    expect(withCandidates(0)).not.toContain('0 spot candidates');
    expect(withCandidates(1)).toContain(
      'Spot capacity for the 1 spot candidate would save a further 1.50 USD.',
    );
    expect(withCandidates(2)).toContain(
      'Spot capacity for the 2 spot candidates would save a further 3.00 USD.',
    );
  });

  it('says what the node counts hold, and that there is none without Node objects', () => {
    const model = costModel({ cost: true });
    const withNodes = (nodes: NonNullable<DesiredState['cost']>['nodes']) =>
      renderDashboard({
        plan: { model: { ...model, cost: { ...model.cost!, nodes } }, plannedAt: at, warnings: [] },
      });
    const page = withNodes({
      today: 3,
      packedToday: 2,
      packedProposed: 2,
      unplaceable: 0,
      unplaceableToday: 1,
      notAnalysed: { pods: 4, daemonSets: 1 },
    });
    expect(page).toContain(
      'Both counts include 4 pods and 1 DaemonSet the policy does not analyse, as they run today.',
    );
    expect(page).toContain(
      escapeHtml("1 pod of today's requests fits no node shape and is left out of the count."),
    );
    const none = withNodes({ today: 0, packedToday: 0, packedProposed: 0, unplaceable: 0 });
    expect(none).toContain('No Node objects in the source, so no node count.');
    expect(none).not.toContain('class="nodes"');
  });

  it('hides the rows the ?workload= filter leaves out (the page without JavaScript)', () => {
    const model = smallModel();
    const page = renderDashboard({
      plan: { model, plannedAt: at, warnings: [] },
      workloadFilter: 'WEB',
    });
    const rows = [
      ...page.matchAll(/<tr\s+class="workload"\s+data-workload="([^"]+)"\s*(hidden)?/g),
    ];
    expect(rows.map((r) => [r[1], r[2] === 'hidden'])).toEqual(
      model.workloads.map((w) => [`${w.ref.namespace}/${w.ref.name}`, !w.ref.name.includes('web')]),
    );
    expect(page).toContain(`1 of ${model.workloads.length} workloads`);
  });

  it('says there is no plan yet, and why, before the first plan', () => {
    const page = renderDashboard({ failure: { message: 'cluster unreachable', at } });
    expect(page).toContain('No plan yet.');
    expect(page).toContain('id="replan-error"');
    expect(page).toContain('cluster unreachable');
  });
});
