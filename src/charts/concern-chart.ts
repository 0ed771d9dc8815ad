/**
 * The base of every chart: one chart per concern, built from the model alone. A chart turns the
 * concern's changes into ModelObjects; where a file lands is the layout's business (layout.ts).
 */
import { Chart } from 'cdk8s';
import type { App } from 'cdk8s';
import type { Change, Concern, DesiredState, Manager, ObjectRef } from '../model/types.js';
import { manifestAnnotations, partialObjectAnnotations } from './annotations.js';
import { objectKey } from './identity.js';
import { ModelObject } from './model-object.js';

/** What every chart may read: the model, and two answers derived from it. */
export interface ChartContext {
  readonly model: DesiredState;
  /** True when some chart writes the full manifest of `ref` (an `adopt` or `create` change). */
  inTree(ref: ObjectRef): boolean;
  /** Who manages the workload `ref`, when the model's inventory knows it. */
  managerOf(ref: ObjectRef): Manager | undefined;
}

export function chartContext(model: DesiredState): ChartContext {
  const fullManifests = new Set(
    model.changes.filter((c) => c.action !== 'patch').map((c) => objectKey(c.target)),
  );
  const managers = new Map(model.workloads.map((w) => [objectKey(w.ref), w.managedBy]));
  return {
    model,
    inTree: (ref) => fullManifests.has(objectKey(ref)),
    managerOf: (ref) => managers.get(objectKey(ref)),
  };
}

export abstract class ConcernChart extends Chart {
  constructor(
    scope: App,
    readonly concern: Concern,
    protected readonly context: ChartContext,
  ) {
    super(scope, concern);
  }

  /** The changes of this chart's concern, in model order. */
  protected ownChanges(): Change[] {
    return this.context.model.changes.filter((c) => c.concern === this.concern);
  }

  /** A construct id that is unique and stable: the change's position in the model. */
  private idOf(change: Change): string {
    return `change-${this.context.model.changes.indexOf(change)}`;
  }

  /** A full manifest (`adopt` or `create`), with its sync wave and apply options. */
  protected addManifest(change: Change): ModelObject {
    return new ModelObject(
      this,
      this.idOf(change),
      change,
      'manifest',
      manifestAnnotations(change.target.kind),
    );
  }

  /**
   * A `patch` change: a kustomize patch when the tree holds the target's manifest, else a
   * partial object of an object managed elsewhere.
   */
  protected addPatch(change: Change): ModelObject {
    if (this.context.inTree(change.target)) {
      return new ModelObject(this, this.idOf(change), change, 'patch', {});
    }
    return new ModelObject(
      this,
      this.idOf(change),
      change,
      'partial',
      partialObjectAnnotations(change.target.kind),
    );
  }

  /** Every object this chart holds, in the order it added them. */
  modelObjects(): ModelObject[] {
    return this.node.findAll().filter((c): c is ModelObject => c instanceof ModelObject);
  }
}

/**
 * The generic chart: renders every change of its concern as the model states it. Concerns
 * without a dedicated chart use it, so no change in the model is ever left out of the tree.
 */
export class ChangesChart extends ConcernChart {
  constructor(scope: App, concern: Concern, context: ChartContext) {
    super(scope, concern, context);
    for (const change of this.ownChanges()) this.render(change);
  }

  protected render(change: Change): ModelObject {
    return change.action === 'patch' ? this.addPatch(change) : this.addManifest(change);
  }
}
