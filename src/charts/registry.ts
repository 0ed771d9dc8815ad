/**
 * One chart per concern. The order is the order charts are built in, and it decides which of
 * several patches of one object managed elsewhere becomes the partial object the others patch.
 * A concern without a dedicated chart yet uses the generic ChangesChart.
 */
import type { App } from 'cdk8s';
import type { Concern } from '../model/types.js';
import { ChangesChart } from './concern-chart.js';
import type { ChartContext, ConcernChart } from './concern-chart.js';
import { TakeoverChart } from './takeover.js';

export type ChartFactory = (app: App, context: ChartContext) => ConcernChart;

const generic =
  (concern: Concern): ChartFactory =>
  (app, context) =>
    new ChangesChart(app, concern, context);

/** Concern → chart factory. A Record, so a new Concern without a chart fails to compile. */
export const CHART_FACTORIES: Readonly<Record<Concern, ChartFactory>> = {
  bootstrap: generic('bootstrap'),
  takeover: (app, context) => new TakeoverChart(app, context),
  rightsizing: generic('rightsizing'),
  scaling: generic('scaling'),
  resilience: generic('resilience'),
  security: generic('security'),
  network: generic('network'),
  backup: generic('backup'),
};

/** Concerns in build order. */
export const CHART_ORDER = Object.keys(CHART_FACTORIES) as Concern[];
