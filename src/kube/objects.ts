/** Small, total accessors over plain Kubernetes JSON: no field is trusted to exist. */
import type { KubeObject } from '../cluster/types.js';
import type { ObjectRef } from '../model/types.js';

export function labelsOf(obj: KubeObject): Record<string, string> {
  return obj.metadata.labels ?? {};
}

export function annotationsOf(obj: KubeObject): Record<string, string> {
  return obj.metadata.annotations ?? {};
}

export function refOf(obj: KubeObject): ObjectRef {
  const ref: { apiVersion: string; kind: string; name: string; namespace?: string } = {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata.name,
  };
  if (obj.metadata.namespace !== undefined) ref.namespace = obj.metadata.namespace;
  return ref;
}

/** `kind/namespace/name` (or `kind/name` when cluster-scoped): unique within a snapshot. */
/** When the API server created `obj`, in Unix seconds; NaN when it carries no readable time. */
export function createdAtSeconds(obj: KubeObject): number {
  const stamp = obj.metadata.creationTimestamp;
  return typeof stamp === 'string' ? Date.parse(stamp) / 1000 : NaN;
}

/** The Pods among `objects`, by `namespace/name` (the way a workload model names its pods). */
export function podsByName(objects: readonly KubeObject[]): Map<string, KubeObject> {
  return new Map(
    objects
      .filter((o) => o.kind === 'Pod')
      .map((p) => [`${p.metadata.namespace ?? ''}/${p.metadata.name}`, p] as const),
  );
}

export function objectKey(ref: { kind: string; namespace?: string; name: string }): string {
  return ref.namespace === undefined
    ? `${ref.kind}/${ref.name}`
    : `${ref.kind}/${ref.namespace}/${ref.name}`;
}

/** Whether two references name the same object (kind, namespace and name; not the version). */
export function sameObject(
  a: { kind: string; namespace?: string; name: string },
  b: { kind: string; namespace?: string; name: string },
): boolean {
  return a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a nested field, e.g. `field(obj, 'spec', 'template', 'spec')`; undefined when absent. */
export function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

export function stringField(value: unknown, ...path: string[]): string | undefined {
  const found = field(value, ...path);
  return typeof found === 'string' ? found : undefined;
}

export function recordField(
  value: unknown,
  ...path: string[]
): Record<string, unknown> | undefined {
  const found = field(value, ...path);
  return isRecord(found) ? found : undefined;
}

export function arrayField(value: unknown, ...path: string[]): unknown[] {
  const found = field(value, ...path);
  return Array.isArray(found) ? found : [];
}

/** The pod template spec of a workload (CronJobs nest it one level deeper; a Pod has its own). */
export function podSpecOf(workload: KubeObject): Record<string, unknown> | undefined {
  if (workload.kind === 'Pod') return recordField(workload, 'spec');
  return workload.kind === 'CronJob'
    ? recordField(workload, 'spec', 'jobTemplate', 'spec', 'template', 'spec')
    : recordField(workload, 'spec', 'template', 'spec');
}

/** Every container of a workload's pod template: regular ones first, then init ones. */
export function podContainersOf(workload: KubeObject): unknown[] {
  const spec = podSpecOf(workload);
  return [...arrayField(spec, 'containers'), ...arrayField(spec, 'initContainers')];
}

export function deepClone<T>(value: T): T {
  return structuredClone(value);
}

/** Stable order for objects: apiVersion, kind, namespace, name. */
export function compareObjects(a: ObjectRef, b: ObjectRef): number {
  return (
    a.apiVersion.localeCompare(b.apiVersion) ||
    a.kind.localeCompare(b.kind) ||
    (a.namespace ?? '').localeCompare(b.namespace ?? '') ||
    a.name.localeCompare(b.name)
  );
}
