/**
 * The takeover chart: live objects no GitOps tool or Helm manages, adopted as clean manifests
 * (the analyzer already stripped status, managedFields, uid, defaulted fields and the like), and
 * objects created by TARS. Objects managed elsewhere are never adopted; when the takeover
 * analyzer has something to say about them it is a `patch` change, rendered as a partial object.
 */
import type { App } from 'cdk8s';
import { ChangesChart } from './concern-chart.js';
import type { ChartContext } from './concern-chart.js';

export class TakeoverChart extends ChangesChart {
  constructor(scope: App, context: ChartContext) {
    super(scope, 'takeover', context);
  }
}
