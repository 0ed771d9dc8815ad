/**
 * OpenMetrics text exposition with timestamps, as `promtool tsdb create-blocks-from openmetrics`
 * reads it: one family per block of lines (`# HELP`, `# TYPE`, then its samples), series one
 * after another with ascending timestamps in seconds, and `# EOF` last.
 */
import type { Family, Series } from './history.js';

const escapeLabel = (value: string): string =>
  value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function labelText(labels: Readonly<Record<string, string>>): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k] ?? '')}"`);
  return `{${pairs.join(',')}}`;
}

function seriesOrder(a: Series, b: Series): number {
  const ka = labelText(a.labels);
  const kb = labelText(b.labels);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** One self-contained OpenMetrics document for a family. */
export function openMetricsText(family: Family): string {
  const lines = [`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`];
  for (const series of [...family.series].sort(seriesOrder)) {
    const prefix = `${family.sampleName}${labelText(series.labels)} `;
    for (const [t, value] of series.samples) lines.push(`${prefix}${value} ${t}`);
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}
