/**
 * Since when a workload has run a container's resources of today, for the soak (recommend.ts):
 * a cut waits until they have run `rightsizing.soak`, so the next step of a cut is proven by
 * usage under the last one.
 *
 * Precise from the controller's revisions where the snapshot has them: a Deployment's
 * ReplicaSets (numbered by `deployment.kubernetes.io/revision`), a StatefulSet's or DaemonSet's
 * ControllerRevisions (`revision`). From the newest back over consecutive revisions that give the
 * container the same resources, the oldest one's creation is when they started: a rollout
 * restart or an image bump makes a revision without changing them, and must not restart the
 * clock. The walk stops at a gap (a revision that is gone ran something unknown) and before a
 * ReplicaSet a rollback brought back (`deployment.kubernetes.io/revision-history`): it was
 * created long before it became current again.
 *
 * Otherwise the oldest live pod running today's resources says since when at least (pods are
 * recreated for many reasons, so this may be later than the truth: a cut waits longer, never
 * less). Live pods that all run other resources mean today's have not run yet. Without either,
 * nobody can tell: undefined.
 */
import type { KubeObject } from '../../cluster/types.js';
import { createdAtSeconds, isRecord, objectKey } from '../../kube/objects.js';
import type { WorkloadModel } from '../../model/types.js';
import { RESOURCE_FIELDS, type Resources } from './recommend.js';
import { podContainerResources } from './resources.js';

/** One revision of a workload's pod template. */
interface Revision {
  readonly number: number;
  /** Unix seconds; NaN when the object has no readable creationTimestamp. */
  readonly created: number;
  /** An object whose pod template is the revision's, for `podContainerResources`. */
  readonly template: KubeObject;
  /** Brought back by a rollback: created before it last became current. */
  readonly reused: boolean;
}

const REVISION = 'deployment.kubernetes.io/revision';
const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';

/** A ReplicaSet or ControllerRevision as a revision, or undefined when it carries no number. */
function revisionOf(object: KubeObject, ownerKind: string): Revision | undefined {
  if (object.kind === 'ReplicaSet') {
    const number = Number(object.metadata.annotations?.[REVISION]);
    if (!Number.isInteger(number)) return undefined;
    return {
      number,
      created: createdAtSeconds(object),
      template: object,
      reused: object.metadata.annotations?.[REVISION_HISTORY] !== undefined,
    };
  }
  // A ControllerRevision's data is a patch of the workload holding its whole pod template.
  const number = object.revision;
  const data = object.data;
  if (typeof number !== 'number' || !isRecord(data) || !isRecord(data.spec)) return undefined;
  return {
    number,
    created: createdAtSeconds(object),
    template: {
      apiVersion: 'apps/v1',
      kind: ownerKind,
      metadata: object.metadata,
      spec: data.spec,
    },
    // A rolled-back ControllerRevision says nothing of it: its creation is taken as its turn.
    reused: false,
  };
}

/** The revisions of every workload in a snapshot, newest first, by workload. */
export function revisionsByWorkload(objects: readonly KubeObject[]): Map<string, Revision[]> {
  const out = new Map<string, Revision[]>();
  for (const object of objects) {
    if (object.kind !== 'ReplicaSet' && object.kind !== 'ControllerRevision') continue;
    const owner = object.metadata.ownerReferences?.find((r) => r.controller === true);
    if (owner === undefined) continue;
    const revision = revisionOf(object, owner.kind);
    if (revision === undefined) continue;
    const key = objectKey({
      kind: owner.kind,
      namespace: object.metadata.namespace,
      name: owner.name,
    });
    out.set(key, [...(out.get(key) ?? []), revision]);
  }
  for (const revisions of out.values()) revisions.sort((a, b) => b.number - a.number);
  return out;
}

/** Since when (unix seconds) `workload` has run `today` for `container`; see the file comment. */
export function resourcesRunningSince(
  workload: WorkloadModel,
  container: string,
  today: Resources,
  revisions: ReadonlyMap<string, readonly Revision[]>,
  livePods: ReadonlyMap<string, KubeObject>,
  now: number,
): number | undefined {
  const { kind, namespace, name } = workload.ref;
  const runsToday = (object: KubeObject): boolean =>
    runsAll(podContainerResources(object, container), today);
  const fromRevisions = sinceFromRevisions(
    revisions.get(objectKey({ kind, namespace, name })) ?? [],
    (r) => runsToday(r.template),
  );
  if (fromRevisions !== undefined) return fromRevisions;
  const pods = workload.pods.flatMap((p) => livePods.get(`${namespace}/${p}`) ?? []);
  if (pods.length === 0) return undefined;
  const running = pods.filter(runsToday);
  if (running.length === 0) return now;
  // A pod without a creation time has run them for as long as anyone can tell.
  return Math.min(
    ...running.map((p) => (Number.isNaN(createdAtSeconds(p)) ? -Infinity : createdAtSeconds(p))),
  );
}

/**
 * Whether `running` has every value today's template sets. A value only the pod has is a
 * LimitRange's default (or a limit since removed, a raise): it cuts nothing, so it does not
 * restart the clock of a cut.
 */
function runsAll(running: Resources, today: Resources): boolean {
  return RESOURCE_FIELDS.every((k) => today[k] === undefined || running[k] === today[k]);
}

function sinceFromRevisions(
  newestFirst: readonly Revision[],
  runsToday: (revision: Revision) => boolean,
): number | undefined {
  let since: number | undefined;
  let expected = newestFirst[0]?.number;
  for (const revision of newestFirst) {
    const usable = !revision.reused && !Number.isNaN(revision.created);
    if (revision.number !== expected || !usable || !runsToday(revision)) break;
    since = revision.created;
    expected = revision.number - 1;
  }
  return since;
}
