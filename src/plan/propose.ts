/**
 * `tars propose`: the plan delivered as pull requests, one branch per concern, under the
 * rollout policy. What is already merged is read from the base branch itself
 * (`<path>/<cluster>/.tars/changes.json`, written with every proposal), so waves need no state
 * outside Git:
 *   phase 1  only the bootstrap concern;
 *   phase 2  nothing (observe: the plan is the report);
 *   phase 3  every concern, at most `waveSize` workloads per pull request, lowest risk first;
 *            while a wave is open its workloads are still missing from base, so a re-run
 *            updates the same pull request; once merged, the next run proposes the next wave,
 *            provided the merged waves stayed healthy (src/rollout/hold.ts), else it is held;
 *   phase 4  as 3, and a wave whose every change is under `autoMergeRiskBelow` is labelled
 *            for auto-merge.
 */
import { isDeepStrictEqual } from 'node:util';
import { clusterFolderName, renderTree } from '../charts/layout.js';
import { InputError } from '../errors.js';
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

/** The changes a base tree holds, validated like a model; none when the file is absent. */
export function parseAppliedChanges(text: string | undefined, model: DesiredState): Change[] {
  if (text === undefined) return [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(
      `${APPLIED_CHANGES_FILE} on the base branch is not JSON: ${(e as Error).message}`,
    );
  }
  const changes = (json as { changes?: unknown }).changes;
  return [
    ...validateModel({ ...model, changes }, `${APPLIED_CHANGES_FILE} on the base branch`).changes,
  ];
}

/** The record of what a tree holds: the model's changes, sorted keys, stable order. */
function appliedChangesFile(changes: readonly Change[]): string {
  const sorted = [...changes].sort((a, b) => a.id.localeCompare(b.id));
  return `${JSON.stringify(sortKeysDeep({ apiVersion: MODEL_API_VERSION, kind: 'AppliedChanges', changes: sorted }), null, 2)}\n`;
}

function sameChange(a: Change, b: Change): boolean {
  return a.id === b.id && isDeepStrictEqual(a.manifest, b.manifest);
}

function monthlySavings(model: DesiredState): Map<string, number> {
  const savings = new Map<string, number>();
  for (const w of model.cost?.workloads ?? []) {
    const saving = w.today.total - w.proposed.total;
    for (const c of model.changes) {
      const ref = c.workload ?? c.target;
      if (
        c.concern === 'rightsizing' &&
        ref.kind === w.ref.kind &&
        ref.namespace === w.ref.namespace &&
        ref.name === w.ref.name
      ) {
        savings.set(c.id, saving);
      }
    }
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
    const applied = parseAppliedChanges(await readBase(APPLIED_CHANGES_FILE), model);
    const pending = model.changes.filter(
      (c) => c.concern === concern && !applied.some((a) => sameChange(a, c)),
    );
    if (pending.length === 0) return undefined;
    const waved = concern !== 'bootstrap';
    const appliedOfConcern = applied.filter((c) => c.concern === concern);
    if (waved) {
      const hold = holdReasons(appliedOfConcern, model);
      if (hold.length > 0) return { hold };
    }
    const wave = waved
      ? planWave(pending, {
          waveSize: policy.rollout.waveSize,
          alreadyApplied: new Set(appliedOfConcern.map(groupKey)).size,
        })
      : { wave: 1, changes: pending, remaining: 0 };
    const waveIds = new Set(wave.changes.map((c) => c.id));
    const merged = [...applied.filter((c) => !waveIds.has(c.id)), ...wave.changes];
    const treeModel: DesiredState = {
      ...model,
      changes: merged,
      rollout: { phase: model.rollout.phase, wave: wave.wave },
    };
    const prefix = `${clusterFolderName(model.cluster.name)}/`;
    const files = new Map<string, string>();
    for (const [path, content] of renderTree(treeModel))
      files.set(path.slice(prefix.length), content);
    files.set(APPLIED_CHANGES_FILE, appliedChangesFile(merged));
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
      ...(autoMerge ? { labels: [AUTO_MERGE_LABEL] } : {}),
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
