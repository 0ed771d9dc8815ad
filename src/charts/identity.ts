/** Which object a change is about, independent of the API version it was written in. */
import type { ObjectRef } from '../model/types.js';

export function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

export function apiVersionNumberOf(apiVersion: string): string {
  return apiVersion.slice(apiVersion.indexOf('/') + 1);
}

/** `apps/Deployment/shop/web`; cluster-scoped objects have an empty namespace segment. */
export function objectKey(ref: ObjectRef): string {
  return `${apiGroupOf(ref.apiVersion)}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

/** `Deployment shop/web`, `ClusterRole tars-readonly`: for comments and messages. */
export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace === undefined ? '' : `${ref.namespace}/`}${ref.name}`;
}
