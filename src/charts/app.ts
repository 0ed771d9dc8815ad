/** The cdk8s App of one model: every registered chart, in registry order. */
import { App } from 'cdk8s';
import type { DesiredState } from '../model/types.js';
import { chartContext } from './concern-chart.js';
import type { ChartContext, ConcernChart } from './concern-chart.js';
import { CHART_FACTORIES, CHART_ORDER } from './registry.js';

export interface ModelApp {
  readonly app: App;
  readonly charts: readonly ConcernChart[];
  readonly context: ChartContext;
}

export function buildApp(model: DesiredState): ModelApp {
  // The App never writes by itself (layout.ts renders the tree), so its outdir is irrelevant.
  const app = new App({ outdir: '.' });
  const context = chartContext(model);
  const charts = CHART_ORDER.map((concern) => CHART_FACTORIES[concern](app, context));
  return { app, charts, context };
}
