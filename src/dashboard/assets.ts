/**
 * The page's own files, held in memory and looked up by exact path: nothing is read from disk
 * by a request, so no request path can reach another file. The script only enhances the page
 * (the filter narrows rows as one types); the page works without it through its form.
 */

export interface Asset {
  readonly contentType: string;
  readonly body: string;
}

const SCRIPT = `'use strict';
// Narrows the workloads table as one types; without this script the form asks the server.
(function () {
  var input = document.getElementById('workload-filter');
  var count = document.getElementById('workload-count');
  if (!input || !count) return;
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr.workload'));
  var total = count.getAttribute('data-total');
  function apply() {
    var wanted = input.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var match = (row.getAttribute('data-workload') || '').toLowerCase().indexOf(wanted) >= 0;
      row.hidden = !match;
      if (match) shown += 1;
    });
    count.textContent = shown + ' of ' + total + ' workloads';
  }
  input.addEventListener('input', apply);
  input.form.addEventListener('submit', function (event) {
    event.preventDefault();
    apply();
    var query = input.value.trim();
    history.replaceState(null, '', query ? '?workload=' + encodeURIComponent(query) : location.pathname);
  });
})();
`;

const STYLE = `:root { color-scheme: light dark; --muted: #6b7280; --line: #d1d5db; --bad: #b91c1c; --warn: #b45309; --good: #15803d; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; padding: 1rem 2rem 3rem; max-width: 90rem; }
h1 { margin: 0.5rem 0; }
h2 { margin-top: 2rem; border-bottom: 1px solid var(--line); }
[hidden] { display: none !important; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.cards { display: flex; flex-wrap: wrap; gap: 1rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem 1rem; min-width: 12rem; }
.card h3 { margin: 0; font-size: 0.9rem; color: var(--muted); }
.big { font-size: 2rem; margin: 0; }
.tally { list-style: none; padding: 0; margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0; }
th, td { text-align: left; vertical-align: top; padding: 0.25rem 0.5rem; border-bottom: 1px solid var(--line); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
small { color: var(--muted); }
/* Free text (from annotations, errors) can hold one long word: it breaks rather than widen the
   page. Only there: elsewhere it would let the table squeeze short columns mid-word. */
td.text, .message, #notes li, #warnings li { overflow-wrap: anywhere; }
.filter { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; }
.filter output { color: var(--muted); }
.health.healthy { color: var(--good); }
.health.progressing, .health.unknown { color: var(--warn); }
.health.unhealthy { color: var(--bad); }
.error { border: 2px solid var(--bad); border-radius: 6px; padding: 0 1rem; }
.warning { border: 2px solid var(--warn); border-radius: 6px; padding: 0 1rem; }
.severity.critical h3, .severity.high h3 { color: var(--bad); }
.severity.medium h3 { color: var(--warn); }
`;

const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f2937"/><path d="M3 4h10v2H9v7H7V6H3z" fill="#fff"/></svg>`;

export const ASSETS: ReadonlyMap<string, Asset> = new Map([
  ['/static/dashboard.js', { contentType: 'text/javascript; charset=utf-8', body: SCRIPT }],
  ['/static/dashboard.css', { contentType: 'text/css; charset=utf-8', body: STYLE }],
  ['/static/favicon.svg', { contentType: 'image/svg+xml', body: ICON }],
]);
