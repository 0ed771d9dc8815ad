/**
 * The dashboard page: the model (and when and how it was made) as one server-rendered HTML
 * document. Pure: same view, same bytes. Every value from the model goes through `html`, which
 * escapes it; the page's only script and stylesheet are served files (see assets.ts), so a
 * Content-Security-Policy without 'unsafe-inline' holds.
 */
import type {
  Change,
  CostFigures,
  CostReport,
  DesiredState,
  Evidence,
  Finding,
  ObjectRef,
  Severity,
  WorkloadCost,
  WorkloadModel,
} from '../model/types.js';
import { nodeCountSentences } from '../model/cost-nodes.js';
import { CONCERNS } from '../model/types.js';
import { byCodePoint } from '../util/compare.js';
import { html, type Html } from './html.js';

/** What the page shows: the last good plan, the last failure after it, and the page's query. */
export interface DashboardView {
  readonly plan?: {
    readonly model: DesiredState;
    readonly plannedAt: Date;
    /** Sources that could not be read while planning (the plan is partial without them). */
    readonly warnings: readonly string[];
  };
  /** The last attempt, when it failed after (or before any) good plan. */
  readonly failure?: { readonly message: string; readonly at: Date };
  /** How often the page's plan is remade, for the reader, e.g. `every 15m`. */
  readonly cadence?: string;
  /** `?workload=`: rows whose namespace/name does not hold it start hidden (the page without JS). */
  readonly workloadFilter?: string;
}

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

const PHASES: Record<DesiredState['rollout']['phase'], string> = {
  1: 'establish presence',
  2: 'workload analysis (observe only)',
  3: 'gradual migration',
  4: 'full autonomy',
};

export function renderDashboard(view: DashboardView): string {
  const title = view.plan ? `TARS · ${view.plan.model.cluster.name}` : 'TARS';
  return `<!doctype html>\n${
    html`<html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/static/dashboard.css" />
        <script src="/static/dashboard.js" defer></script>
      </head>
      <body>
        ${view.plan ? planPage(view.plan, view) : noPlan(view)}
      </body>
    </html> `.text
  }`;
}

function noPlan(view: DashboardView): Html {
  return html`<header>
      <h1>TARS</h1>
      <p>No plan yet.</p>
    </header>
    ${failure(view)}`;
}

function planPage(plan: NonNullable<DashboardView['plan']>, view: DashboardView): Html {
  const { model } = plan;
  return html`<header>
      <h1>${model.cluster.name}</h1>
      <dl class="facts">
        <dt>Source</dt>
        <dd>${model.cluster.source}</dd>
        <dt>Planned</dt>
        <dd>
          <time datetime="${plan.plannedAt.toISOString()}">${when(plan.plannedAt)}</time
          >${view.cadence !== undefined ? html` (re-planned ${view.cadence})` : ''}
        </dd>
        <dt>Phase</dt>
        <dd>${model.rollout.phase}: ${PHASES[model.rollout.phase]}, wave ${model.rollout.wave}</dd>
        <dt>Usage history</dt>
        <dd>
          ${model.inputs.usageHistory.available ? (model.inputs.usageHistory.source ?? 'available') : 'none'}
        </dd>
        <dt>Objects read</dt>
        <dd>${model.inputs.objects}</dd>
      </dl>
    </header>
    <main>
      ${failure(view)}
      ${
        plan.warnings.length > 0
          ? html`<section id="warnings" class="warning">
              <h2>Sources not read</h2>
              <ul>
                ${plan.warnings.map((w) => html`<li>${w}</li>`)}
              </ul>
            </section>`
          : ''
      }
      ${counts(model)} ${workloads(model.workloads, view.workloadFilter)}
      ${model.cost ? cost(model.cost) : ''} ${changes(model.changes)} ${findings(model.findings)}
      ${notes(model)}
    </main>`;
}

function failure(view: DashboardView): Html | '' {
  if (!view.failure) return '';
  const shown = view.plan ? html` The page shows the plan made ${when(view.plan.plannedAt)}.` : '';
  return html`<section id="replan-error" class="error" role="alert">
    <h2>The last attempt failed</h2>
    <p>
      At <time datetime="${view.failure.at.toISOString()}">${when(view.failure.at)}</time>:
      <span class="message">${view.failure.message}</span>.${shown}
    </p>
  </section>`;
}

function counts(model: DesiredState): Html {
  const byConcern = CONCERNS.map(
    (c) => [c, model.changes.filter((x) => x.concern === c).length] as const,
  ).filter(([, n]) => n > 0);
  const bySeverity = SEVERITIES.map(
    (s) => [s, model.findings.filter((f) => f.severity === s).length] as const,
  ).filter(([, n]) => n > 0);
  return html`<section id="counts">
    <h2>At a glance</h2>
    <div class="cards">
      <div class="card">
        <h3>Workloads</h3>
        <p class="big">${model.workloads.length}</p>
      </div>
      <div class="card">
        <h3>Changes</h3>
        <p class="big">${model.changes.length}</p>
        ${tally(byConcern)}
      </div>
      <div class="card">
        <h3>Findings</h3>
        <p class="big">${model.findings.length}</p>
        ${tally(bySeverity)}
      </div>
    </div>
  </section>`;
}

function tally(rows: readonly (readonly [string, number])[]): Html | '' {
  if (rows.length === 0) return '';
  return html`<ul class="tally">
    ${rows.map(([name, n]) => html`<li><span>${name}</span> <b>${n}</b></li>`)}
  </ul>`;
}

/** The row's key for the filter, as the browser script and the `?workload=` query compare it. */
function workloadKey(w: WorkloadModel): string {
  return `${w.ref.namespace}/${w.ref.name}`;
}

export function matchesWorkloadFilter(w: WorkloadModel, filter: string | undefined): boolean {
  const wanted = (filter ?? '').trim().toLowerCase();
  return wanted === '' || workloadKey(w).toLowerCase().includes(wanted);
}

function workloads(list: readonly WorkloadModel[], filter: string | undefined): Html {
  const shown = list.filter((w) => matchesWorkloadFilter(w, filter)).length;
  return html`<section id="workloads">
    <h2>Workloads</h2>
    <form method="get" action="/" role="search" class="filter">
      <label for="workload-filter">Filter by namespace/name</label>
      <input
        type="search"
        id="workload-filter"
        name="workload"
        value="${filter ?? ''}"
        autocomplete="off"
      />
      <button type="submit">Filter</button>
      <output id="workload-count" for="workload-filter" data-total="${list.length}"
        >${shown} of ${list.length} workloads</output
      >
    </form>
    <table>
      <thead>
        <tr>
          <th>Kind</th>
          <th>Namespace</th>
          <th>Name</th>
          <th class="num">Replicas</th>
          <th>Managed by</th>
          <th>Health</th>
        </tr>
      </thead>
      <tbody>
        ${list.map(
          (w) =>
            html`<tr
              class="workload"
              data-workload="${workloadKey(w)}"
              ${matchesWorkloadFilter(w, filter) ? '' : html` hidden`}
            >
              <td>${w.ref.kind}</td>
              <td>${w.ref.namespace}</td>
              <td>${w.ref.name}</td>
              <td class="num">${w.replicas ?? '–'}</td>
              <td class="text">
                ${w.managedBy.tool}${w.managedBy.name !== undefined ? html`: <span class="manager">${w.managedBy.name}</span>` : ''}
              </td>
              <td>${health(w)}</td>
            </tr> `,
        )}
      </tbody>
    </table>
  </section>`;
}

function health(w: WorkloadModel): Html {
  if (!w.health) return html`<span class="health unknown">unknown</span>`;
  return html`<span class="health ${w.health.state}">${w.health.state}</span
    >${w.health.reasons.length > 0 ? html` <small>${w.health.reasons.join('; ')}</small>` : ''}`;
}

/** Rounded to the cent first: a difference of -1e-17 is `0.00`, where toFixed alone says `-0.00`. */
function money(value: number, currency: string): string {
  return `${(Math.round(value * 100) / 100 + 0).toFixed(2)} ${currency}`;
}

function cost(report: CostReport): Html {
  const line = (label: string, pick: (f: CostFigures) => number): Html =>
    html`<tr>
      <th scope="row">${label}</th>
      <td class="num">${money(pick(report.today), report.currency)}</td>
      <td class="num">${money(pick(report.proposed), report.currency)}</td>
      <td class="num">${money(pick(report.today) - pick(report.proposed), report.currency)}</td>
    </tr>`;
  return html`<section id="cost">
    <h2>Cost per month (${report.currency})</h2>
    <table>
      <thead>
        <tr>
          <th></th>
          <th class="num">Today</th>
          <th class="num">Proposed</th>
          <th class="num">Saving</th>
        </tr>
      </thead>
      <tbody>
        ${line('CPU', (f) => f.cpu)} ${line('Memory', (f) => f.memory)}
        ${line('Storage', (f) => f.storage)} ${line('Total', (f) => f.total)}
      </tbody>
    </table>
    <p>${spotSentence(report)}</p>
    ${workloadCosts(report)} ${nodeCounts(report.nodes)}
  </section>`;
}

function spotSentence(report: CostReport): string {
  const candidates = report.workloads.filter((w) => w.spotCandidate).length;
  if (candidates === 0) return 'No workload is a candidate for spot capacity.';
  const noun = candidates === 1 ? 'spot candidate' : 'spot candidates';
  return `Spot capacity for the ${candidates} ${noun} would save a further ${money(report.spotSavings, report.currency)}.`;
}

/** Per workload, the biggest saving first (ties by name, by code point: the same in every locale). */
function workloadCosts(report: CostReport): Html {
  const saving = (w: WorkloadCost): number => Math.round((w.today.total - w.proposed.total) * 100);
  const rows = [...report.workloads].sort(
    (a, b) => saving(b) - saving(a) || byCodePoint(refText(a.ref), refText(b.ref)),
  );
  const currency = report.currency;
  return html`<table class="workload-costs">
    <thead>
      <tr>
        <th>Workload</th>
        <th class="num">Replicas</th>
        <th class="num">Today</th>
        <th class="num">Proposed</th>
        <th class="num">Saving</th>
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (w) =>
          html`<tr class="workload-cost">
            <th scope="row">${refText(w.ref)}</th>
            <td class="num">${w.replicas}</td>
            <td class="num">${money(w.today.total, currency)}</td>
            <td class="num">${money(w.proposed.total, currency)}</td>
            <td class="num">${money(w.today.total - w.proposed.total, currency)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/**
 * The node counts, with what they hold besides the analysed workloads and the pods they leave
 * out (the words the plan summary and the pull request use); none without Node objects.
 */
function nodeCounts(nodes: CostReport['nodes']): Html {
  if (nodes.today === 0) return html`<p>No Node objects in the source, so no node count.</p>`;
  const sentences = nodeCountSentences(nodes);
  return html`<table class="nodes">
      <thead>
        <tr>
          <th class="num">Nodes today</th>
          <th class="num">Packed with today's requests</th>
          <th class="num">Packed with the proposal</th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <td class="num">${nodes.today}</td>
          <td class="num">${nodes.packedToday}</td>
          <td class="num">${nodes.packedProposed}</td>
        </tr>
      </tbody>
    </table>
    ${sentences.length > 0 ? html`<p>${sentences.join(' ')}</p>` : ''}`;
}

function refText(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace !== undefined ? `${ref.namespace}/` : ''}${ref.name}`;
}

function evidence(e: Evidence | undefined): Html | string {
  if (!e) return '–';
  const parts = [
    `${e.window}`,
    `${e.samples} samples`,
    ...(e.percentile !== undefined ? [`p${e.percentile}`] : []),
    `${e.confidence} confidence`,
  ];
  return html`${parts.join(', ')}${e.detail !== undefined ? html`<br /><small>${e.detail}</small>` : ''}`;
}

function changes(list: readonly Change[]): Html {
  const groups = CONCERNS.map((c) => [c, list.filter((x) => x.concern === c)] as const).filter(
    ([, xs]) => xs.length > 0,
  );
  return html`<section id="changes">
    <h2>Changes (${list.length})</h2>
    ${groups.length === 0 ? html`<p>No changes.</p>` : ''}
    ${groups.map(
      ([concern, xs]) =>
        html`<section class="concern" id="concern-${concern}">
          <h3>${concern} (${xs.length})</h3>
          <table>
            <thead>
              <tr>
                <th>Target</th>
                <th>Action</th>
                <th>Summary</th>
                <th class="num">Risk</th>
                <th>Evidence</th>
              </tr>
            </thead>
            <tbody>
              ${xs.map(
                (x) =>
                  html`<tr class="change">
                    <td>${refText(x.target)}</td>
                    <td>${x.action}</td>
                    <td class="text">
                      ${x.summary}${x.fixes && x.fixes.length > 0 ? html`<br /><small>fixes: ${x.fixes.join('; ')}</small>` : ''}
                    </td>
                    <td class="num">
                      ${x.risk ? html`${x.risk.score.toFixed(2)}${x.risk.reasons.length > 0 ? html`<br /><small>${x.risk.reasons.join('; ')}</small>` : ''}` : '–'}
                    </td>
                    <td>${evidence(x.evidence)}</td>
                  </tr> `,
              )}
            </tbody>
          </table>
        </section> `,
    )}
  </section>`;
}

function findings(list: readonly Finding[]): Html {
  const groups = SEVERITIES.map((s) => [s, list.filter((f) => f.severity === s)] as const).filter(
    ([, fs]) => fs.length > 0,
  );
  return html`<section id="findings">
    <h2>Findings (${list.length})</h2>
    ${groups.length === 0 ? html`<p>No findings.</p>` : ''}
    ${groups.map(
      ([severity, fs]) =>
        html`<section class="severity ${severity}" id="severity-${severity}">
          <h3>${severity} (${fs.length})</h3>
          <table>
            <thead>
              <tr>
                <th>Check</th>
                <th>Concern</th>
                <th>Resource</th>
                <th>Finding</th>
                <th>Remediation</th>
              </tr>
            </thead>
            <tbody>
              ${fs.map(
                (f) =>
                  html`<tr class="finding" data-severity="${f.severity}">
                    <td>${f.check}</td>
                    <td>${f.concern}</td>
                    <td>${refText(f.resource)}</td>
                    <td class="text">${f.message}</td>
                    <td class="text">${f.remediation}</td>
                  </tr> `,
              )}
            </tbody>
          </table>
        </section> `,
    )}
  </section>`;
}

function notes(model: DesiredState): Html {
  const skipped = model.inputs.skipped.map((s) => `skipped ${s.kind}: ${s.reason} (${s.message})`);
  const all = [...model.notes, ...skipped];
  if (all.length === 0) return html``;
  return html`<section id="notes">
    <h2>Notes</h2>
    <ul>
      ${all.map((n) => html`<li>${n}</li>`)}
    </ul>
  </section>`;
}

/** `2026-12-01 00:12:03 UTC`: one clock for every reader of the page. */
function when(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
