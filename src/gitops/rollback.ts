/**
 * What reverting a pull request does to each of its changes, read from how the tree writes them
 * (src/charts/layout.ts), and what restores the changes a revert does not.
 *
 * A strategic-merge patch of a manifest this tree holds is undone by a revert: the engine applies
 * the manifest as it was. A partial object (an object Helm, another tool or nobody yet manages,
 * patched field by field with server-side apply) is not: it is never pruned (`Prune=false`), so
 * a revert deletes its file and leaves the new values on the live object. What restores it is the
 * same partial object holding the values from before, applied by the same engine: server-side apply
 * sets those values and removes the fields the engine no longer applies, i.e. those that had no
 * value before (test/charts/partial-apply.test.ts and test/sync-engine/rollback.test.ts show it
 * on a real API server). Those values are the ones the change records (`Change.previous`, e.g. an
 * HPA's target), else the workload's live requests, limits and replicas as the model recorded
 * them; for anything else the model holds no value before, and we say so.
 *
 * Whole manifests go with a revert, and the engine TARS bootstraps prunes: it deletes what the
 * pull request created, which is the point, but also what it adopted, which ran before TARS and
 * is deleted unless marked `Prune=false` first (test/sync-engine/rollback.test.ts). Kinds never
 * pruned (namespaces, volumes, CRDs) stay.
 */
import { ARGOCD_SYNC_OPTIONS, manifestAnnotations } from '../charts/annotations.js';
import { describeRef } from '../charts/identity.js';
import { placeChanges, type Placement } from '../charts/layout.js';
import type { KubeObject } from '../cluster/types.js';
import { isRecord, sameObject } from '../kube/objects.js';
import type { Change, ContainerModel, DesiredState, WorkloadModel } from '../model/types.js';

/** A change whose revert leaves its values live, with the file that restores them when known. */
export interface UnrevertedChange {
  readonly change: Change;
  readonly placement: Placement;
  /** The file to commit at `placement.path` instead, holding the values from before. */
  readonly previousFile?: string;
}

export interface RollbackPlan {
  /** Each change's file and form in the tree, by change id. */
  readonly placements: ReadonlyMap<string, Placement>;
  /** Strategic-merge patches of manifests in the tree: a revert restores them. */
  readonly restoredByRevert: readonly Change[];
  /** Partial objects and patches of them: a revert leaves their new values live. */
  readonly notRestored: readonly UnrevertedChange[];
  /** Manifests this pull request creates: a revert removes them, and the engine prunes them. */
  readonly created: readonly Change[];
  /** Adopted manifests of objects that ran before: a revert removes them, the engine deletes them. */
  readonly adopted: readonly Change[];
  /** Adopted or created manifests never pruned (`Prune=false`): a revert leaves them as they are. */
  readonly neverPruned: readonly Change[];
}

/** Whether the engine prunes the manifest of `change` once its file goes (layout's annotations). */
function pruned(change: Change): boolean {
  const options =
    change.manifest.metadata.annotations?.[ARGOCD_SYNC_OPTIONS] ??
    manifestAnnotations(change.target.kind)[ARGOCD_SYNC_OPTIONS] ??
    '';
  return !options.split(',').includes('Prune=false');
}

/** How a revert acts on each of `changes` in the tree of `model` (the tree the pull request writes). */
export function rollbackPlan(model: DesiredState, changes: readonly Change[]): RollbackPlan {
  const tree = withChanges(model, changes);
  const placements = placeChanges(tree);
  const restoredByRevert: Change[] = [];
  const created: Change[] = [];
  const adopted: Change[] = [];
  const neverPruned: Change[] = [];
  const unreverted: { change: Change; placement: Placement; previous?: KubeObject }[] = [];
  // By object, as the text names them, and by id: the text does not depend on the input order.
  const sortKey = (c: Change): string => `${describeRef(c.target)}\u0000${c.id}`;
  const sorted = [...changes].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
  for (const change of sorted) {
    const placement = placements.get(change.id);
    if (placement === undefined) continue;
    if (placement.form === 'manifest') {
      if (!pruned(change)) neverPruned.push(change);
      else (change.action === 'adopt' ? adopted : created).push(change);
    } else if (placement.form === 'patch') restoredByRevert.push(change);
    else {
      const workload = tree.workloads.find((w) => sameObject(w.ref, change.target));
      const previous = previousValues(change, workload);
      unreverted.push({ change, placement, ...(previous !== undefined ? { previous } : {}) });
    }
  }
  // The files with the values from before, rendered as the tree renders them.
  const previousTree = placeChanges(
    withChanges(
      tree,
      unreverted.flatMap(({ change, previous }) =>
        previous === undefined
          ? []
          : [{ ...change, manifest: previous, summary: `values before: ${change.summary}` }],
      ),
    ),
  );
  const notRestored = unreverted.map(({ change, placement, previous }) => {
    const file = previous === undefined ? undefined : previousTree.get(change.id)?.content;
    return { change, placement, ...(file !== undefined ? { previousFile: file } : {}) };
  });
  return { placements, restoredByRevert, notRestored, created, adopted, neverPruned };
}

/** `model` with `changes` in place of the model's changes of the same id (appended if new). */
function withChanges(model: DesiredState, changes: readonly Change[]): DesiredState {
  const byId = new Map(changes.map((c) => [c.id, c]));
  const known = new Set(model.changes.map((c) => c.id));
  return {
    ...model,
    changes: [
      ...model.changes.map((c) => byId.get(c.id) ?? c),
      ...changes.filter((c) => !known.has(c.id)),
    ],
  };
}

type JsonObject = Record<string, unknown>;

/** True when `value` is an object whose keys are all in `allowed`. */
function onlyKeys(value: unknown, allowed: readonly string[]): value is JsonObject {
  return isRecord(value) && Object.keys(value).every((k) => allowed.includes(k));
}

/**
 * The partial object that puts back what `change` sets on `workload`: the same fields holding
 * the live values the model recorded, and without the fields that had none (server-side apply
 * removes a field its manager no longer applies). Undefined when the change sets anything the
 * model holds no value before for (anything but container requests, limits and replicas).
 */
export function previousValues(
  change: Change,
  workload: WorkloadModel | undefined,
): KubeObject | undefined {
  if (change.previous !== undefined) return change.previous;
  if (workload === undefined || !sameObject(workload.ref, change.target)) return undefined;
  const { apiVersion, kind, metadata, spec, ...rest } = change.manifest;
  if (Object.keys(rest).length > 0 || !onlyKeys(metadata, ['name', 'namespace'])) return undefined;
  if (!isRecord(spec)) return undefined;
  const previous: JsonObject = {};
  for (const [key, value] of Object.entries(spec)) {
    let before: unknown;
    if (key === 'replicas') before = workload.replicas;
    else if (key === 'template' && kind !== 'CronJob') before = previousTemplate(value, workload);
    else if (key === 'jobTemplate' && kind === 'CronJob' && onlyKeys(value, ['spec'])) {
      const jobSpec = value.spec;
      const template = onlyKeys(jobSpec, ['template'])
        ? previousTemplate(jobSpec.template, workload)
        : undefined;
      before = template === undefined ? undefined : { spec: { template } };
    }
    if (before === undefined) return undefined;
    previous[key] = before;
  }
  return { apiVersion, kind, metadata: { ...metadata }, spec: previous };
}

function previousTemplate(template: unknown, workload: WorkloadModel): JsonObject | undefined {
  if (!onlyKeys(template, ['spec']) || !onlyKeys(template.spec, ['containers', 'initContainers']))
    return undefined;
  const podSpec: JsonObject = {};
  for (const [key, list] of Object.entries(template.spec)) {
    if (!Array.isArray(list)) return undefined;
    const init = key === 'initContainers';
    const containers: JsonObject[] = [];
    for (const item of list) {
      const previous = previousContainer(item, workload.containers, init);
      if (previous === undefined) return undefined;
      containers.push(previous);
    }
    podSpec[key] = containers;
  }
  return { spec: podSpec };
}

function previousContainer(
  item: unknown,
  live: readonly ContainerModel[],
  init: boolean,
): JsonObject | undefined {
  if (!onlyKeys(item, ['name', 'resources']) || typeof item.name !== 'string') return undefined;
  const container = live.find((c) => c.name === item.name && c.init === init);
  if (container === undefined) return undefined;
  const resources = item.resources ?? {};
  if (!onlyKeys(resources, ['requests', 'limits'])) return undefined;
  const previous: JsonObject = {};
  for (const [key, values] of Object.entries(resources)) {
    if (!isRecord(values)) return undefined;
    const kept: Record<string, string> = {};
    for (const name of Object.keys(values)) {
      const before = container[key as 'requests' | 'limits'][name];
      if (before !== undefined) kept[name] = before;
    }
    if (Object.keys(kept).length > 0) previous[key] = kept;
  }
  return Object.keys(previous).length > 0
    ? { name: item.name, resources: previous }
    : { name: item.name };
}
