/**
 * `tars propose`: the plan delivered as pull requests, one branch per concern, under the
 * rollout policy. What is already merged is read from the base branch itself
 * (`<path>/<cluster>/.tars/changes.json`, written with every proposal), so waves need no state
 * outside Git:
 *   phase 1  only the bootstrap concern;
 *   phase 2  nothing (observe: the plan is the report);
 *   phase 3  every concern, at most `waveSize` workloads per pull request, fixes of observed
 *            failures first, then lowest risk first;
 *            while a wave is open its workloads are still missing from base, so a re-run
 *            updates the same pull request; once merged, the next run proposes the next wave,
 *            provided the previous wave stayed healthy and every merged one is live
 *            (src/rollout/hold.ts), else it is held; a kind the plan could not list
 *            (`model.inputs.skipped`) that either depends on holds it too;
 *   phase 4  as 3, and a wave whose every change is under `autoMergeRiskBelow` is labelled
 *            for auto-merge.
 */
import { isDeepStrictEqual } from 'node:util';
import { Ajv } from 'ajv';
import { clusterFolderName, renderTree } from '../charts/layout.js';
import { InputError } from '../errors.js';
import { sameObject } from '../kube/objects.js';
import { buildPullRequestText } from '../gitops/pr-body.js';
import { propose, type ProposeOptions, type ProposeResult } from '../gitops/propose.js';
import type { ProposalRenderer } from '../gitops/delivery.js';
import { sortKeysDeep } from '../model/serialize.js';
import { CONCERNS, MODEL_API_VERSION } from '../model/types.js';
import { validateModel } from '../model/validate.js';
import type { Change, Concern, DesiredState } from '../model/types.js';
import type { Policy } from '../policy/types.js';
import { holdReasons } from '../rollout/hold.js';
import { autoMergeEligible, groupKey, planWave } from '../rollout/waves.js';

/** Where a tree records the changes it holds, relative to `<path>/<cluster>/`. */
export const APPLIED_CHANGES_FILE = '.tars/changes.json';
export const AUTO_MERGE_LABEL = 'tars/auto-merge';

/** Concerns proposed in a phase, in the order their pull requests are made. */
export function concernsForPhase(
  model: DesiredState,
  phase: Policy['rollout']['phase'],
): Concern[] {
  if (phase === 2) return [];
  if (phase === 1) return ['bootstrap'];
  return CONCERNS.filter((concern) => model.changes.some((c) => c.concern === concern));
}

/** What a base tree holds: its changes, and the wave each was merged in when recorded. */
export interface AppliedRecord {
  readonly changes: readonly Change[];
  /** Change id → wave number; records written before waves were recorded have none. */
  readonly waves: ReadonlyMap<string, number>;
}

const validateWaves = new Ajv().compile<Record<string, number>>({
  type: 'object',
  additionalProperties: { type: 'integer', minimum: 1 },
});

/** The record on the base branch, validated like a model; empty when the file is absent. */
export function parseAppliedRecord(text: string | undefined, model: DesiredState): AppliedRecord {
  if (text === undefined) return { changes: [], waves: new Map() };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(
      `${APPLIED_CHANGES_FILE} on the base branch is not JSON: ${(e as Error).message}`,
    );
  }
  const { changes, waves = {} } = json as { changes?: unknown; waves?: unknown };
  if (!validateWaves(waves)) {
    const problem = validateWaves.errors?.[0];
    // The instance path is a JSON pointer to the change id: `/takeover~1shop~1...`.
    const id = problem?.instancePath.slice(1).replaceAll('~1', '/').replaceAll('~0', '~');
    throw new InputError(
      `${APPLIED_CHANGES_FILE} on the base branch: waves${id ? `[${JSON.stringify(id)}]` : ''}: ${problem?.message ?? 'is invalid'}`,
    );
  }
  const where = `${APPLIED_CHANGES_FILE} on the base branch`;
  return {
    changes: validateModel({ ...model, changes }, where).changes,
    waves: new Map(Object.entries(waves)),
  };
}

/** The record of what a tree holds: its changes and their waves, sorted keys, stable order. */
function appliedChangesFile(
  changes: readonly Change[],
  waves: ReadonlyMap<string, number>,
): string {
  const sorted = [...changes].sort((a, b) => a.id.localeCompare(b.id));
  const waveOf = Object.fromEntries(
    sorted.flatMap((c) => (waves.has(c.id) ? [[c.id, waves.get(c.id)!] as const] : [])),
  );
  const record = {
    apiVersion: MODEL_API_VERSION,
    kind: 'AppliedChanges',
    changes: sorted,
    waves: waveOf,
  };
  return `${JSON.stringify(sortKeysDeep(record), null, 2)}\n`;
}

/**
 * The changes whose workloads' health the next wave waits on: those of the highest recorded wave,
 * and every change without a recorded wave (a record from before waves were kept).
 */
function previousWave(
  changes: readonly Change[],
  waves: ReadonlyMap<string, number>,
): { readonly last?: number; readonly watched: (change: Change) => boolean } {
  const numbers = changes.flatMap((c) => (waves.has(c.id) ? [waves.get(c.id)!] : []));
  if (numbers.length === 0) return { watched: () => true };
  const last = Math.max(...numbers);
  return { last, watched: (c) => (waves.get(c.id) ?? last) === last };
}

function sameChange(a: Change, b: Change): boolean {
  return a.id === b.id && isDeepStrictEqual(a.manifest, b.manifest);
}

/**
 * Monthly saving per change id, each right-sized workload's saving on exactly one change: the
 * change whose target is the workload (its container patch or adoption), or, when it has none,
 * the first by id of those made for it (e.g. an HPA change carrying `workload`). So a pull
 * request's total counts every workload once.
 */
export function monthlySavings(model: DesiredState): Map<string, number> {
  const savings = new Map<string, number>();
  for (const w of model.cost?.workloads ?? []) {
    const forWorkload = model.changes
      .filter((c) => c.concern === 'rightsizing' && sameObject(c.workload ?? c.target, w.ref))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const owner = forWorkload.find((c) => sameObject(c.target, w.ref)) ?? forWorkload[0];
    if (owner !== undefined) savings.set(owner.id, w.today.total - w.proposed.total);
  }
  return savings;
}

/** Renders one concern's proposal against what base holds; undefined when nothing is pending. */
export function concernRenderer(
  model: DesiredState,
  concern: Concern,
  policy: Policy,
): ProposalRenderer {
  return async (readBase) => {
    const record = parseAppliedRecord(await readBase(APPLIED_CHANGES_FILE), model);
    const applied = record.changes;
    const pending = model.changes.filter(
      (c) => c.concern === concern && !applied.some((a) => sameChange(a, c)),
    );
    if (pending.length === 0) return undefined;
    const waved = concern !== 'bootstrap';
    const appliedOfConcern = applied.filter((c) => c.concern === concern);
    const previous = previousWave(appliedOfConcern, record.waves);
    if (waved) {
      const hold = holdReasons(appliedOfConcern, model, previous.watched, applied);
      // An open pull request of a held rollout must not auto-merge meanwhile.
      if (hold.length > 0) return { hold, removeLabels: [AUTO_MERGE_LABEL] };
    }
    const wave = waved
      ? planWave(pending, {
          waveSize: policy.rollout.waveSize,
          alreadyApplied: new Set(appliedOfConcern.map(groupKey)).size,
          ...(previous.last !== undefined ? { lastMergedWave: previous.last } : {}),
        })
      : { wave: 1, changes: pending, remaining: 0 };
    const waveIds = new Set(wave.changes.map((c) => c.id));
    const merged = [...applied.filter((c) => !waveIds.has(c.id)), ...wave.changes];
    const waves = new Map(record.waves);
    for (const id of waveIds) waves.set(id, wave.wave);
    const treeModel: DesiredState = {
      ...model,
      changes: merged,
      rollout: { phase: model.rollout.phase, wave: wave.wave },
    };
    const prefix = `${clusterFolderName(model.cluster.name)}/`;
    const files = new Map<string, string>();
    for (const [path, content] of renderTree(treeModel))
      files.set(path.slice(prefix.length), content);
    files.set(APPLIED_CHANGES_FILE, appliedChangesFile(merged, waves));
    const text = buildPullRequestText({
      model: treeModel,
      concern,
      changes: wave.changes,
      monthlySavings: monthlySavings(model),
      ...(model.cost ? { currency: model.cost.currency } : {}),
    });
    const autoMerge =
      policy.rollout.phase === 4 &&
      autoMergeEligible(wave.changes, policy.rollout.autoMergeRiskBelow);
    return {
      files,
      title: text.title,
      body: text.body,
      // Labels are only ever added otherwise: a wave that no longer qualifies (a riskier change,
      // a lower threshold, back in phase 3) loses the label it got on an earlier run.
      ...(autoMerge ? { labels: [AUTO_MERGE_LABEL] } : { removeLabels: [AUTO_MERGE_LABEL] }),
    };
  };
}

export async function proposePlan(
  model: DesiredState,
  policy: Policy,
  options: Omit<ProposeOptions, 'concerns'>,
): Promise<ProposeResult[]> {
  const concerns = concernsForPhase(model, policy.rollout.phase);
  const renderers = new Map(concerns.map((c) => [c, concernRenderer(model, c, policy)] as const));
  return propose(model, renderers, options);
}
