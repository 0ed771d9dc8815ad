/** Container resources read from Kubernetes objects, in base units (cores and bytes). */
import type { KubeObject } from '../../cluster/types.js';
import { field, isRecord, podContainersOf } from '../../kube/objects.js';
import { tryParseQuantity } from '../../util/quantity.js';
import { RESOURCE_FIELDS, type Resources } from './recommend.js';

export function resourcesOf(
  requests: Readonly<Record<string, string | undefined>>,
  limits: Readonly<Record<string, string | undefined>>,
): Resources {
  const out: { -readonly [K in keyof Resources]?: number } = {};
  const set = (key: keyof Resources, value: string | undefined): void => {
    const parsed = tryParseQuantity(value);
    if (parsed !== undefined) out[key] = parsed;
  };
  // A request unset beside a limit is the limit, as the API server defaults it.
  set('cpuRequest', requests.cpu ?? limits.cpu);
  set('cpuLimit', limits.cpu);
  set('memoryRequest', requests.memory ?? limits.memory);
  set('memoryLimit', limits.memory);
  return out;
}

/**
 * The resources a container (init ones included) of a pod, or of a workload's or ReplicaSet's pod
 * template, runs with; empty when absent.
 */
export function podContainerResources(pod: KubeObject, name: string): Resources {
  const spec = podContainersOf(pod).find((c) => isRecord(c) && c.name === name);
  const quantities = (kind: 'requests' | 'limits'): Record<string, string> => {
    const value = field(spec, 'resources', kind);
    if (!isRecord(value)) return {};
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
  };
  return resourcesOf(quantities('requests'), quantities('limits'));
}

export function sameResources(a: Resources, b: Resources): boolean {
  return RESOURCE_FIELDS.every((k) => a[k] === b[k]);
}
