/**
 * Who writes an object TARS changes, in words, for the generated tree's comments and the pull
 * request. An object this tree does not hold is patched field by field (a partial object); what
 * is true of it depends on who applied it: Helm, another Argo CD application or Flux keep writing
 * their own values, so the lasting change belongs in their source; an object applied with kubectl
 * (or by no tool TARS recognises) simply has not been adopted into this tree.
 */
import type { Manager } from '../model/types.js';

/** `Helm release "shop"`, `Argo CD application "shop"`; undefined for kubectl, none or unknown. */
export function describeOwnerTool(manager: Manager | undefined): string | undefined {
  const name = manager?.name === undefined ? '' : ` "${manager.name}"`;
  switch (manager?.tool) {
    case 'helm':
      return `Helm release${name}`;
    case 'argocd':
      return `Argo CD application${name}`;
    case 'flux':
      // Flux's kustomize-controller and helm-controller both label what they apply by name.
      return `Flux Kustomization or HelmRelease${name}`;
    default:
      return undefined;
  }
}

/**
 * What is true of an object this tree does not hold: `managed by Helm release "shop"`,
 * `applied with kubectl, not adopted into this tree`, ….
 */
export function describeOutsideTree(manager: Manager | undefined): string {
  const tool = describeOwnerTool(manager);
  if (tool !== undefined) return `managed by ${tool}`;
  switch (manager?.tool) {
    case 'kubectl':
      return 'applied with kubectl, not adopted into this tree';
    case 'none':
      return 'applied by no tool TARS recognises, not adopted into this tree';
    default:
      return 'not in this tree; TARS has no record of what manages it';
  }
}

/** Where a change to an object `manager` owns lasts, or undefined when this tree could hold it. */
export function lastingChangeHome(manager: Manager | undefined): string | undefined {
  switch (manager?.tool) {
    case 'helm':
      return "the release's values";
    case 'argocd':
      return "that application's source";
    case 'flux':
      return 'its source';
    default:
      return undefined;
  }
}
