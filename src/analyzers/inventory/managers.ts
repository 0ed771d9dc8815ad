/**
 * Who manages an object. Safety first: when the markers are ambiguous we name a manager
 * other than kubectl/none, because TARS patches objects managed elsewhere and never adopts them.
 */
import type { KubeObject } from '../../cluster/types.js';
import { annotationsOf, labelsOf, stringField } from '../../kube/objects.js';
import type { Manager } from '../../model/types.js';

const FLUX_NAME_LABELS = ['kustomize.toolkit.fluxcd.io/name', 'helm.toolkit.fluxcd.io/name'];

export function managerOf(obj: KubeObject): Manager {
  const labels = labelsOf(obj);
  const annotations = annotationsOf(obj);

  // Argo CD: annotation tracking (default since 3.0) or label tracking (the instance label).
  const trackingId = annotations['argocd.argoproj.io/tracking-id'];
  if (trackingId !== undefined)
    return { tool: 'argocd', name: trackingId.split(':')[0] ?? trackingId };
  const argoInstance = labels['argocd.argoproj.io/instance'];
  if (argoInstance !== undefined) return { tool: 'argocd', name: argoInstance };

  // Flux: kustomize-controller and helm-controller label what they apply.
  for (const label of FLUX_NAME_LABELS) {
    const name = labels[label];
    if (name !== undefined) return { tool: 'flux', name };
  }

  // Helm: `helm install` sets the release annotation; charts conventionally set managed-by.
  const release = annotations['meta.helm.sh/release-name'];
  if (release !== undefined) return { tool: 'helm', name: release };
  if (labels['app.kubernetes.io/managed-by']?.toLowerCase() === 'helm') {
    return labels['app.kubernetes.io/instance'] !== undefined
      ? { tool: 'helm', name: labels['app.kubernetes.io/instance'] }
      : { tool: 'helm' };
  }

  // Argo CD's default label tracking writes app.kubernetes.io/instance; without any Helm
  // marker that label is most likely Argo CD's, and mistaking it costs only a patch.
  const instance = labels['app.kubernetes.io/instance'];
  if (instance !== undefined) return { tool: 'argocd', name: instance };

  if (appliedWithKubectl(obj)) return { tool: 'kubectl' };
  return { tool: 'none' };
}

function appliedWithKubectl(obj: KubeObject): boolean {
  if (annotationsOf(obj)['kubectl.kubernetes.io/last-applied-configuration'] !== undefined) {
    return true;
  }
  const managedFields = obj.metadata.managedFields;
  return (
    Array.isArray(managedFields) &&
    managedFields.some((entry: unknown) => stringField(entry, 'manager')?.startsWith('kubectl'))
  );
}

/** Managed by something TARS does not replace: objects like these get patches, not adoption. */
export function isManagedElsewhere(manager: Manager): boolean {
  return manager.tool === 'helm' || manager.tool === 'argocd' || manager.tool === 'flux';
}
