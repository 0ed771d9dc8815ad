/** What HorizontalPodAutoscalers scale: read once for every analyzer that needs it. */
import type { KubeObject } from '../cluster/types.js';
import { stringField } from './objects.js';

export interface ScaleTarget {
  /** The HorizontalPodAutoscaler (KEDA's ScaledObjects scale through one). */
  readonly hpa: KubeObject;
  /** `spec.scaleTargetRef.apiVersion`, when given. */
  readonly apiVersion?: string;
  readonly kind: string;
  readonly name: string;
  /** The HPA's namespace: a scale target is always in it. */
  readonly namespace?: string;
}

/** Every HPA with a scale target naming a kind and a name, in the order of `objects`. */
export function scaleTargetsOf(objects: readonly KubeObject[]): ScaleTarget[] {
  const targets: ScaleTarget[] = [];
  for (const hpa of objects) {
    if (hpa.kind !== 'HorizontalPodAutoscaler') continue;
    const kind = stringField(hpa, 'spec', 'scaleTargetRef', 'kind');
    const name = stringField(hpa, 'spec', 'scaleTargetRef', 'name');
    if (kind === undefined || name === undefined || kind === '' || name === '') continue;
    const apiVersion = stringField(hpa, 'spec', 'scaleTargetRef', 'apiVersion');
    const { namespace } = hpa.metadata;
    targets.push({
      hpa,
      kind,
      name,
      ...(apiVersion !== undefined ? { apiVersion } : {}),
      ...(namespace !== undefined ? { namespace } : {}),
    });
  }
  return targets;
}
