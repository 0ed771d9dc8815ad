/**
 * One object of the model as a cdk8s ApiObject. It renders the change's manifest as the model
 * holds it, plus the annotations its chart adds; the only thing it restores after cdk8s is
 * explicit `null`s, which cdk8s drops but a strategic-merge patch needs (`limits: {cpu: null}`
 * removes a CPU limit).
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import type { Change } from '../model/types.js';

/**
 * How the object lands in the tree:
 * - `manifest`: a full manifest (adopted or created), listed under `resources:`;
 * - `patch`: a strategic-merge patch of a manifest in the same tree, listed under `patches:`;
 * - `partial`: the changed fields of an object managed elsewhere, applied with server-side apply.
 */
export type ObjectRole = 'manifest' | 'patch' | 'partial';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function containsNull(value: unknown): boolean {
  if (value === null) return true;
  if (typeof value !== 'object') return false;
  return Object.values(value).some(containsNull);
}

/** `rendered` with every `null` of `source` put back at its place (and the parents cdk8s dropped). */
export function restoreNulls(rendered: unknown, source: unknown): unknown {
  if (source === null) return null;
  if (Array.isArray(source)) {
    const out: unknown[] = Array.isArray(rendered) ? [...(rendered as unknown[])] : [];
    source.forEach((item, i) => {
      if (containsNull(item)) out[i] = restoreNulls(out[i], item);
    });
    return out;
  }
  if (typeof source === 'object' && source !== null) {
    const isObject = typeof rendered === 'object' && rendered !== null && !Array.isArray(rendered);
    const out: Record<string, unknown> = isObject
      ? { ...(rendered as Record<string, unknown>) }
      : {};
    for (const [key, value] of Object.entries(source)) {
      if (containsNull(value)) out[key] = restoreNulls(out[key], value);
    }
    return out;
  }
  return rendered;
}

export class ModelObject extends ApiObject {
  constructor(
    scope: Construct,
    id: string,
    readonly change: Change,
    readonly role: ObjectRole,
    annotations: Readonly<Record<string, string>>,
  ) {
    const { manifest } = change;
    super(scope, id, {
      ...manifest,
      metadata: {
        ...manifest.metadata,
        // The model's own annotations win: an explicit choice in the object beats TARS's default.
        annotations: { ...annotations, ...manifest.metadata.annotations },
      },
    });
  }

  override toJson(): Json {
    return restoreNulls(super.toJson(), this.change.manifest) as Json;
  }
}
