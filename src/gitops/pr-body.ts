/**
 * The pull-request text, written for the reviewer: what changes, per workload before → after,
 * the evidence, the savings, the risk, for right-sizing a cost table (the wave's workloads and the
 * cluster, today and proposed), the rollout phase and wave, how to roll back, and a hidden marker
 * with the plan's hash so the next run recognises its own pull request.
 *
 * A pure function of the model. Every string that comes from the cluster (names, namespaces,
 * summaries built from labels or annotations) is escaped: it cannot close a table cell, open a
 * code span, inject HTML, start a link or mention someone.
 */
import { createHash } from 'node:crypto';
import { clusterFolderName } from '../charts/layout.js';
import { describeOutsideTree, describeOwnerTool, lastingChangeHome } from '../charts/ownership.js';
import { sameObject } from '../kube/objects.js';
import { nodeCountSentences } from '../model/cost-nodes.js';
import { byCodePoint } from '../util/compare.js';
import { DEFAULT_POLICY } from '../policy/defaults.js';
import type {
  Change,
  Concern,
  ContainerModel,
  CostReport,
  DesiredState,
  WorkloadCost,
  WorkloadModel,
} from '../model/types.js';
import { rollbackPlan, type RollbackPlan } from './rollback.js';

export const PLAN_HASH_MARKER_PREFIX = '<!-- tars:plan-hash=';

/** GitHub refuses bodies over 65,536 characters; GitLab's limit is higher. Stay under both. */
export const MAX_BODY_LENGTH = 60_000;

export interface PullRequestTextInput {
  readonly model: DesiredState;
  /** The concern this pull request carries; default: every concern that has changes. */
  readonly concern?: Concern;
  /** The wave's changes; default: all changes of `concern` in the model. */
  readonly changes?: readonly Change[];
  /** Monthly savings per change id (positive = cheaper), from the cost analyzer. */
  readonly monthlySavings?: ReadonlyMap<string, number>;
  /** ISO 4217 code for the savings. @default 'USD' */
  readonly currency?: string;
  /**
   * Table rows shown per concern (and in the cost table) before the rest is summarised; fewer
   * when the body would exceed MAX_BODY_LENGTH. @default 100
   */
  readonly maxRows?: number;
}

export interface PullRequestText {
  readonly title: string;
  readonly body: string;
  /** sha256 of the plan this text describes (stable across runs with the same plan). */
  readonly planHash: string;
  /** The hidden marker line, `<!-- tars:plan-hash=<sha256> -->`. */
  readonly marker: string;
}

const PHASE_NAMES: Record<1 | 2 | 3 | 4, string> = {
  1: 'establish presence',
  2: 'workload analysis (observe only)',
  3: 'gradual migration',
  4: 'full autonomy',
};

const CONCERN_TITLES: Record<Concern, string> = {
  bootstrap: 'Bootstrap',
  takeover: 'Takeover (adoption into Git)',
  rightsizing: 'Right-sizing',
  scaling: 'Scaling',
  resilience: 'Resilience',
  security: 'Security hardening',
  network: 'Network policies',
  backup: 'Backups',
};

/**
 * Escapes text from the cluster for inline use in Markdown, table cells included. Newlines
 * become spaces, so the text never starts a line and block syntax (headings, lists, quotes)
 * cannot trigger; HTML is entity-encoded; inline punctuation (pipes, backticks, emphasis, link
 * brackets, strikethrough, `#123` references, `scheme:` autolinks) is backslash-escaped; `@` is
 * encoded so no one is mentioned.
 */
export function escapeMarkdown(text: string): string {
  // One pass, so the entities written here are not escaped again.
  return text.replace(
    /\r\n|[\r\n\u2028\u2029&<>@\\`*_[\]|~#:]/g,
    (c) => MARKDOWN_ESCAPES[c] ?? `\\${c}`,
  );
}

const MARKDOWN_ESCAPES: Readonly<Record<string, string>> = {
  '\r\n': ' ',
  '\r': ' ',
  '\n': ' ',
  '\u2028': ' ',
  '\u2029': ' ',
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '@': '&#64;',
};

/** Stable JSON: object keys sorted, so the same plan always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** sha256 over what the pull request proposes: cluster, concern(s) and the changes' content. */
export function planHash(clusterName: string, changes: readonly Change[]): string {
  const plan = {
    cluster: clusterName,
    changes: [...changes]
      .map((c) => ({
        id: c.id,
        concern: c.concern,
        action: c.action,
        target: c.target,
        manifest: c.manifest,
      }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
  return createHash('sha256').update(canonicalJson(plan)).digest('hex');
}

export function planMarker(hash: string): string {
  return `${PLAN_HASH_MARKER_PREFIX}${hash} -->`;
}

/** The plan hash a pull-request body carries, if it has TARS's marker. */
export function readPlanHash(body: string): string | undefined {
  const match = /<!-- tars:plan-hash=([0-9a-f]{64}) -->/.exec(body);
  return match?.[1];
}

function selectedChanges(input: PullRequestTextInput): readonly Change[] {
  if (input.changes !== undefined) return input.changes;
  if (input.concern === undefined) return input.model.changes;
  return input.model.changes.filter((c) => c.concern === input.concern);
}

function concernsOf(changes: readonly Change[]): Concern[] {
  return [...new Set(changes.map((c) => c.concern))].sort();
}

export function formatMoney(amount: number, currency: string): string {
  const rounded = Math.round(amount * 100) / 100;
  return `${rounded.toFixed(2)} ${escapeMarkdown(currency)}`;
}

/** The wave's total in words: a negative saving is a cost increase, and says so. */
function describeSavings(savings: number, currency: string): string {
  const what = '(the price of requested capacity, not a bill)';
  const cents = Math.round(savings * 100);
  if (cents > 0)
    return `saving an estimated **${formatMoney(savings, currency)} per month** ${what}`;
  if (cents < 0)
    return `raising cost by an estimated **${formatMoney(-savings, currency)} per month** ${what}`;
  return `with no estimated change in cost ${what}`;
}

function riskLevel(score: number): string {
  if (score < 0.34) return 'low';
  if (score < 0.67) return 'medium';
  return 'high';
}

function describeRisk(change: Change): string {
  if (change.risk === undefined) return '—';
  const reasons =
    change.risk.reasons.length > 0 ? `: ${change.risk.reasons.map(escapeMarkdown).join('; ')}` : '';
  return `${riskLevel(change.risk.score)} (${change.risk.score.toFixed(2)})${reasons}`;
}

function describeEvidence(change: Change): string {
  const e = change.evidence;
  if (e === undefined) return '—';
  const parts = [
    `${escapeMarkdown(e.window)} window`,
    `${e.samples} samples`,
    ...(e.percentile !== undefined ? [`p${e.percentile}`] : []),
    `${e.confidence} confidence`,
  ];
  if (e.detail !== undefined && e.detail !== '') parts.push(escapeMarkdown(e.detail));
  return parts.join(', ');
}

/** Pod-template containers of a workload manifest or patch, wherever the kind keeps them. */
function manifestContainers(change: Change): readonly Record<string, unknown>[] {
  const spec = change.manifest.spec as Record<string, unknown> | undefined;
  const jobTemplate = (spec?.jobTemplate as Record<string, unknown> | undefined)?.spec as
    Record<string, unknown> | undefined;
  const template = (jobTemplate?.template ?? spec?.template) as Record<string, unknown> | undefined;
  const podSpec = template?.spec as Record<string, unknown> | undefined;
  const containers = podSpec?.containers;
  return Array.isArray(containers) ? (containers as Record<string, unknown>[]) : [];
}

function resourceMap(
  container: Record<string, unknown>,
  key: 'requests' | 'limits',
): Record<string, string> {
  const resources = container.resources as Record<string, unknown> | undefined;
  const values = resources?.[key] as Record<string, unknown> | undefined;
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(values ?? {})) {
    if (typeof value === 'string' || typeof value === 'number') result[name] = String(value);
  }
  return result;
}

function findWorkload(model: DesiredState, change: Change): WorkloadModel | undefined {
  return model.workloads.find((w) => sameObject(w.ref, change.target));
}

/** `app: cpu request 500m → 100m` for every resource value the change sets differently. */
function resourceDeltas(workload: WorkloadModel, change: Change): string[] {
  const deltas: string[] = [];
  for (const proposed of manifestContainers(change)) {
    const name = typeof proposed.name === 'string' ? proposed.name : '';
    const current: ContainerModel | undefined = workload.containers.find((c) => c.name === name);
    for (const key of ['requests', 'limits'] as const) {
      const after = resourceMap(proposed, key);
      for (const resource of Object.keys(after).sort()) {
        const before = current?.[key][resource];
        if (before === after[resource]) continue;
        const label = `${escapeMarkdown(name)}: ${escapeMarkdown(resource)} ${key === 'requests' ? 'request' : 'limit'}`;
        deltas.push(
          `${label} ${escapeMarkdown(before ?? 'none')} → ${escapeMarkdown(after[resource] ?? '')}`,
        );
      }
    }
  }
  const replicas = (change.manifest.spec as Record<string, unknown> | undefined)?.replicas;
  if (
    typeof replicas === 'number' &&
    workload.replicas !== undefined &&
    replicas !== workload.replicas
  ) {
    deltas.push(`replicas ${workload.replicas} → ${replicas}`);
  }
  return deltas;
}

function describeBeforeAfter(model: DesiredState, change: Change): string {
  const workload = findWorkload(model, change);
  if (workload !== undefined) {
    const deltas = resourceDeltas(workload, change);
    if (deltas.length > 0) return deltas.join('<br>');
  }
  const kind = escapeMarkdown(change.manifest.kind);
  const name = escapeMarkdown(change.manifest.metadata.name ?? change.target.name);
  switch (change.action) {
    case 'create':
      return `none → new ${kind} ${name}`;
    case 'adopt':
      return `live only → clean manifest in Git`;
    case 'patch':
      return `patch of ${escapeMarkdown(change.target.kind)} (see summary)`;
  }
}

function targetLabel(change: Change): string {
  const t = change.target;
  const where = t.namespace !== undefined ? `${escapeMarkdown(t.namespace)}/` : '';
  return `${escapeMarkdown(t.kind)} ${where}${escapeMarkdown(t.name)}`;
}

/**
 * Who owns the object a change is written to: this tree (a manifest, or a patch of one), or,
 * for a partial object, the tool that applied it, and where a lasting change belongs when that
 * tool keeps writing its own values.
 */
function describeOwner(model: DesiredState, change: Change, plan: RollbackPlan): string {
  const form = plan.placements.get(change.id)?.form;
  if (form === 'manifest' || form === 'patch') return 'this tree';
  const manager = model.workloads.find((w) => sameObject(w.ref, change.target))?.managedBy;
  const tool = describeOwnerTool(manager);
  const home = lastingChangeHome(manager);
  return tool !== undefined && home !== undefined
    ? `${escapeMarkdown(tool)}; the lasting change belongs in ${home}`
    : escapeMarkdown(describeOutsideTree(manager));
}

function concernSection(
  model: DesiredState,
  concern: Concern,
  changes: readonly Change[],
  input: PullRequestTextInput,
  maxRows: number,
  plan: RollbackPlan,
): string[] {
  const currency = input.currency ?? 'USD';
  const sorted = [...changes].sort(
    (a, b) =>
      (a.risk?.score ?? 0) - (b.risk?.score ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const lines = [
    `### ${CONCERN_TITLES[concern]}`,
    '',
    '| Workload | Owner | Change | Before → after | Evidence | Savings / month | Risk |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const change of sorted.slice(0, maxRows)) {
    const savings = input.monthlySavings?.get(change.id);
    lines.push(
      `| ${[
        targetLabel(change),
        describeOwner(model, change, plan),
        escapeMarkdown(change.summary),
        describeBeforeAfter(model, change),
        describeEvidence(change),
        savings === undefined ? '—' : formatMoney(savings, currency),
        describeRisk(change),
      ].join(' | ')} |`,
    );
  }
  if (sorted.length > maxRows) {
    lines.push('', `…and ${sorted.length - maxRows} more changes of this kind, all in the diff.`);
  }
  const ownedElsewhere = sorted.some((c) => {
    const form = plan.placements.get(c.id)?.form;
    const manager = model.workloads.find((w) => sameObject(w.ref, c.target))?.managedBy;
    return form !== 'manifest' && form !== 'patch' && lastingChangeHome(manager) !== undefined;
  });
  if (ownedElsewhere) {
    lines.push(
      '',
      'Objects Helm, another Argo CD application or Flux own are patched here field by field; ' +
        'their owner may write its own values again on its next upgrade or sync, and Argo CD or ' +
        "Flux then applies this tree's again, until the change is made in the owner's source.",
    );
  }
  lines.push('');
  return lines;
}

/** `Deployment/shop/api`: kind, namespace and name, so two kinds with one name differ. */
function workloadLabel(ref: WorkloadCost['ref']): string {
  return [ref.kind, ...(ref.namespace !== undefined ? [ref.namespace] : []), ref.name]
    .map(escapeMarkdown)
    .join('/');
}

/**
 * The right-sizing cost table: per workload of the wave, the monthly cost today and proposed
 * and the saving (positive = cheaper), sorted by kind/namespace/name; the wave's total; then the
 * cluster's monthly cost and node count, today and with the whole proposal bin-packed.
 */
function costSection(cost: CostReport, changes: readonly Change[], maxRows: number): string[] {
  const refs = changes
    .filter((c) => c.concern === 'rightsizing')
    .map((c) => c.workload ?? c.target);
  const rows = cost.workloads
    .filter((w) => refs.some((r) => sameObject(r, w.ref)))
    .map((w) => ({ label: workloadLabel(w.ref), today: w.today.total, proposed: w.proposed.total }))
    .sort((a, b) => byCodePoint(a.label, b.label));
  if (rows.length === 0) return [];
  const money = (x: number): string => formatMoney(x, cost.currency);
  const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  const moneyRow = (label: string, today: number, proposed: number): string =>
    row([label, money(today), money(proposed), money(today - proposed)]);
  const waveToday = rows.reduce((sum, r) => sum + r.today, 0);
  const waveProposed = rows.reduce((sum, r) => sum + r.proposed, 0);
  const { nodes } = cost;
  // No Node objects (a snapshot without them, or no right to list them): nothing was packed.
  const counted = nodes.today > 0;
  const sentences = nodeCountSentences(nodes)
    .map((s) => ` ${s}`)
    .join('');
  const nodesNote = counted
    ? "first-fit decreasing of the requests onto the cluster's node shapes; the cluster runs " +
      `${pluralize(nodes.today, 'node')} today.${sentences}`
    : 'none in the snapshot, so no node count.';
  return [
    '### Cost',
    '',
    row(['Workload', 'Today / month', 'Proposed / month', 'Saving / month']),
    row(['---', '---:', '---:', '---:']),
    ...rows.slice(0, maxRows).map((r) => moneyRow(r.label, r.today, r.proposed)),
    ...(rows.length > maxRows
      ? [row([`…and ${pluralize(rows.length - maxRows, 'more workload')}`, '', '', ''])]
      : []),
    moneyRow('This wave', waveToday, waveProposed),
    '',
    row(['Cluster', 'Today', 'Proposed', 'Saving']),
    row(['---', '---:', '---:', '---:']),
    moneyRow('Cost / month', cost.today.total, cost.proposed.total),
    // Packed against packed: the saving is what right-sizing frees, not what consolidating
    // today's requests alone would.
    ...(counted
      ? [
          row([
            'Nodes, bin-packed',
            String(nodes.packedToday),
            String(nodes.packedProposed),
            String(nodes.packedToday - nodes.packedProposed),
          ]),
        ]
      : []),
    '',
    `The cluster's proposed figures are the whole right-sizing plan (every wave). Nodes: ${nodesNote}`,
    '',
    ...(counted ? nodesFreed(nodes) : []),
    priceBasis(cost),
    '',
  ];
}

/**
 * Whether the plan frees a node, when it does not: until a node goes, a lower request is capacity
 * freed on the nodes the cluster keeps paying for.
 */
function nodesFreed(nodes: CostReport['nodes']): string[] {
  const { packedToday, packedProposed } = nodes;
  if (packedProposed < packedToday) return [];
  const need =
    packedProposed === packedToday
      ? `${pluralize(packedProposed, 'node')}, as today's requests do`
      : `${pluralize(packedProposed, 'node')} where today's requests need ${packedToday}`;
  return [
    `The whole right-sizing plan frees no node: bin-packed, it needs ${need}. Its saving is ` +
      'requested capacity, not yet money on the bill.',
    '',
  ];
}

/** The prices behind every figure, where they come from, and what the figures are. */
function priceBasis(cost: CostReport): string {
  const { prices, currency, hoursPerMonth } = cost;
  const unit = escapeMarkdown(currency);
  const storage =
    cost.today.storage > 0 || cost.proposed.storage > 0
      ? `, ${prices.storageGiBMonth} ${unit} per GiB-month of storage`
      : '';
  const defaults = DEFAULT_POLICY.cost;
  const builtIn =
    currency === defaults.currency &&
    hoursPerMonth === defaults.hoursPerMonth &&
    prices.vcpuHour === defaults.vcpuHour &&
    prices.memoryGiBHour === defaults.memoryGiBHour &&
    prices.storageGiBMonth === defaults.storageGiBMonth;
  const source = builtIn
    ? "the policy's `cost` section, here TARS's built-in defaults: public on-demand list prices " +
      'of Google Cloud Compute Engine E2 in us-central1'
    : "the policy's `cost` section";
  return (
    `Prices: ${prices.vcpuHour} ${unit} per vCPU-hour and ${prices.memoryGiBHour} ${unit} per ` +
    `GiB-hour of memory${storage}, ${hoursPerMonth} hours a month, from ${source}. Every figure ` +
    'is the price of requested capacity (requests × replicas × hours × price), not a bill: the ' +
    'bill changes when nodes are added, removed or resized.'
  );
}

function pluralize(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function totalSavings(
  changes: readonly Change[],
  savings: ReadonlyMap<string, number> | undefined,
): number | undefined {
  if (savings === undefined) return undefined;
  let total = 0;
  let any = false;
  for (const change of changes) {
    const value = savings.get(change.id);
    if (value === undefined) continue;
    total += value;
    any = true;
  }
  return any ? total : undefined;
}

/** `Deployment shop/a, Deployment shop/b and 3 more`: at most `max` names. */
function listTargets(changes: readonly Change[], max: number): string {
  const names = changes.slice(0, Math.max(1, max)).map(targetLabel);
  const more = changes.length - names.length;
  return more > 0 ? `${names.join(', ')} and ${more} more` : names.join(', ');
}

/** A fence longer than any run of backticks in `text`, so the text cannot close it. */
function fenceFor(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(Math.max(3, longest + 1));
}

/**
 * How to undo the pull request, from how the tree writes each change: a revert undoes patches of
 * manifests in the tree; partial objects are never pruned, so their new values outlive a revert
 * and only the values from before, committed in their place, restore them (src/gitops/rollback.ts).
 */
function rollbackSection(plan: RollbackPlan, clusterFolder: string, maxRows: number): string[] {
  const { restoredByRevert, notRestored, created, adopted, neverPruned } = plan;
  const lines = [
    '### How to roll back',
    '',
    "Revert this pull request (the platform's **Revert** button, or `git revert -m 1 <merge commit>`). " +
      'What the revert does depends on how each change is written into the tree:',
    '',
  ];
  if (restoredByRevert.length > 0) {
    lines.push(
      `- **Restored by the revert**: ${listTargets(restoredByRevert, maxRows)}. These are ` +
        'strategic-merge patches of manifests this tree holds: Argo CD or Flux applies the ' +
        'manifests again with their previous values.',
    );
  }
  if (created.length > 0) {
    lines.push(
      `- **Deleted by the revert**: ${listTargets(created, maxRows)}. This pull request creates ` +
        'them; the revert removes their manifests, and Argo CD or Flux deletes them (the ' +
        'Application and Kustomization TARS installs prune).',
    );
  }
  if (adopted.length > 0) {
    lines.push(
      `- **Deleted from the cluster by the revert**: ${listTargets(adopted, maxRows)}. These ran ` +
        'before this pull request adopted them; the revert removes their manifests, and Argo CD ' +
        'or Flux, which prune, delete the live objects. To hand them back without deleting them, ' +
        "first merge a change that sets each manifest's `argocd.argoproj.io/sync-options` to " +
        '`ServerSideApply=true,Prune=false` (for Flux, adds the annotation ' +
        '`kustomize.toolkit.fluxcd.io/prune: disabled`) and let it sync; then revert this pull ' +
        'request with git, which stops on those files as changed since: delete them (`git rm`) ' +
        'and continue.',
    );
  }
  if (neverPruned.length > 0) {
    lines.push(
      `- **Left in the cluster by the revert**: ${listTargets(neverPruned, maxRows)}. Kinds ` +
        'whose deletion takes more with them (namespaces, volumes, CRDs) are never pruned: the ' +
        'revert removes their manifests and leaves the objects as they are; delete them by hand ' +
        'if they should go.',
    );
  }
  const unreverted = notRestored.map((u) => u.change);
  if (unreverted.length > 0) {
    lines.push(
      `- **Not restored by the revert**: ${listTargets(unreverted, maxRows)}. These are partial ` +
        'objects of objects this tree does not hold, applied with server-side apply and never ' +
        'pruned (`Prune=false,Delete=false`): the revert deletes their files and the live objects ' +
        'keep the new values (Argo CD reports them OutOfSync). To restore them, add to the revert, ' +
        'before it merges, the files below with the values from before: each at its path, keeping ' +
        "the line this pull request added for it to its folder's `kustomization.yaml`. Argo CD or " +
        'Flux applies them with server-side apply, which sets the values from before and removes ' +
        'the fields that had none.',
    );
  }
  if (unreverted.length > 0 && restoredByRevert.length > 0) {
    lines.push(
      `- Restore both in the same revert: a revert alone returns ${listTargets(restoredByRevert, maxRows)} ` +
        `to the values before and leaves ${listTargets(unreverted, maxRows)} with the new ones, ` +
        "so the two no longer match (a workload's request and its autoscaler's target, say).",
    );
  }
  if (notRestored.length > 0) {
    lines.push(
      '',
      `<details><summary>The values from before (paths in the tree's folder)</summary>`,
      '',
    );
    for (const { change, placement, previousFile } of notRestored.slice(0, Math.max(1, maxRows))) {
      const path = `${clusterFolder}/${placement.path}`;
      if (previousFile === undefined) {
        lines.push(
          `${targetLabel(change)}: TARS does not record its values before this change ` +
            `(${escapeMarkdown(change.summary)}); write them into ${escapeMarkdown(path)} by hand, ` +
            "or restore them from its owner's source.",
          '',
        );
        continue;
      }
      const fence = fenceFor(previousFile);
      lines.push(`${escapeMarkdown(path)}:`, '', `${fence}yaml`, previousFile.trimEnd(), fence, '');
    }
    const more = notRestored.length - Math.max(1, maxRows);
    if (more > 0) {
      lines.push(
        `…and ${pluralize(more, 'more partial object')}: the values from before are in the ` +
          'before → after column above.',
        '',
      );
    }
    lines.push('</details>');
  }
  lines.push(
    '',
    'To keep TARS from proposing the same change again, exclude the namespace or adjust the ' +
      'policy before the next run.',
    '',
  );
  return lines;
}

/** The last resort when even tables without rows are too long: the text cut, the marker kept. */
function cut(body: string, marker: string): string {
  const note =
    '\n\n…the rest of this description was cut to fit the platform limit; the diff holds every change.\n\n';
  return body.slice(0, MAX_BODY_LENGTH - note.length - marker.length) + note + marker;
}

/** Title and body of the pull request for `input`'s changes. */
export function buildPullRequestText(input: PullRequestTextInput): PullRequestText {
  const { model } = input;
  const changes = selectedChanges(input);
  const concerns = input.concern !== undefined ? [input.concern] : concernsOf(changes);
  const cluster = model.cluster.name;
  const hash = planHash(cluster, changes);
  const marker = planMarker(hash);
  const workloads = new Set(
    changes.map((c) => `${c.target.kind}/${c.target.namespace ?? ''}/${c.target.name}`),
  );
  const savings = totalSavings(changes, input.monthlySavings);
  const currency = input.currency ?? 'USD';
  const concernWords = concerns.map((c) => CONCERN_TITLES[c].toLowerCase()).join(', ');

  // The title is plain text on every platform, but keep it on one line and short.
  const title = `tars(${cluster}): ${concernWords} for ${pluralize(workloads.size, 'object')}`
    .replace(/[\r\n]+/g, ' ')
    .slice(0, 200);

  const summary =
    `TARS proposes ${pluralize(changes.length, 'change')} to ${pluralize(workloads.size, 'object')} ` +
    `in cluster **${escapeMarkdown(cluster)}** (${escapeMarkdown(concernWords)})` +
    (savings !== undefined ? `, ${describeSavings(savings, currency)}.` : '.');

  const rollback = rollbackPlan(model, changes);
  const tables = (maxRows: number): string[] => {
    const lines: string[] = [];
    for (const concern of concerns) {
      lines.push(
        ...concernSection(
          model,
          concern,
          changes.filter((c) => c.concern === concern),
          input,
          maxRows,
          rollback,
        ),
      );
    }
    if (concerns.includes('rightsizing') && model.cost !== undefined)
      lines.push(...costSection(model.cost, changes, maxRows));
    return lines;
  };
  const { phase, wave } = model.rollout;
  const closing = [
    '### Rollout',
    '',
    `Phase ${phase} (${PHASE_NAMES[phase]}), wave ${wave}. ` +
      (phase === 3
        ? 'The next wave is proposed only after this one is merged and its workloads are healthy in the cluster (rolled out, running the merged resources, no crash loops): TARS reads what base holds and what the cluster runs on every run.'
        : ''),
    '',
  ];
  const footer = [
    `<sub>Generated by TARS from the desired-state model of ${escapeMarkdown(cluster)}; ` +
      'edits to this branch are not overwritten: TARS leaves a branch alone once someone else commits to it.</sub>',
    '',
    marker,
  ];
  const render = (maxRows: number): string =>
    [
      summary,
      '',
      ...tables(maxRows),
      ...closing,
      ...rollbackSection(rollback, clusterFolderName(cluster), maxRows),
      ...footer,
    ].join('\n');
  const wanted = Math.max(0, input.maxRows ?? 100);
  let body = render(wanted);
  if (body.length > MAX_BODY_LENGTH) {
    // Fewer table rows, never the rollout, the rollback or the cost totals: the most that fit.
    let fits: string | undefined;
    for (let low = 0, high = wanted - 1; low <= high;) {
      const rows = Math.floor((low + high) / 2);
      const candidate = render(rows);
      if (candidate.length <= MAX_BODY_LENGTH) {
        fits = candidate;
        low = rows + 1;
      } else high = rows - 1;
    }
    body = fits ?? cut(render(0), marker);
  }
  return { title, body, planHash: hash, marker };
}
