/**
 * Writes history as OpenMetrics text that `promtool tsdb create-blocks-from openmetrics` and
 * the OpenMetrics source read back: one `# TYPE` per metric family, timestamps in seconds,
 * `# EOF` at the end. Used by snapshots, fixtures and the benchmark.
 */
import type { Sample } from '../types.js';

export interface OpenMetricsSeries {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly samples: readonly Sample[];
}

export type MetricType = 'counter' | 'gauge' | 'unknown';

export interface OpenMetricsFamily {
  readonly name: string;
  readonly type: MetricType;
  readonly help?: string;
  readonly series: readonly OpenMetricsSeries[];
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Family name in `# TYPE`: OpenMetrics names a counter family without its `_total` suffix. */
function familyName(family: OpenMetricsFamily): string {
  return family.type === 'counter' ? family.name.replace(/_total$/, '') : family.name;
}

export function formatOpenMetrics(families: readonly OpenMetricsFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# TYPE ${familyName(family)} ${family.type}`);
    if (family.help !== undefined) lines.push(`# HELP ${familyName(family)} ${family.help}`);
    for (const series of family.series) {
      const labels = Object.entries(series.labels)
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(',');
      const head = labels === '' ? series.name : `${series.name}{${labels}}`;
      for (const s of series.samples) lines.push(`${head} ${formatNumber(s.v)} ${s.t}`);
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}
