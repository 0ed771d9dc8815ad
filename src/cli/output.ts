/** `--output json|yaml|table`: the one place data is formatted for stdout. */
import { stringify } from 'yaml';
import { InputError } from '../errors.js';

export type OutputFormat = 'json' | 'yaml' | 'table';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['json', 'yaml', 'table'];

export function parseOutputFormat(value: string): OutputFormat {
  if ((OUTPUT_FORMATS as readonly string[]).includes(value)) return value as OutputFormat;
  throw new InputError(`--output must be one of ${OUTPUT_FORMATS.join(', ')} (got "${value}")`);
}

export function formatData(data: unknown, format: 'json' | 'yaml'): string {
  return format === 'json'
    ? `${JSON.stringify(data, null, 2)}\n`
    : stringify(data, { sortMapEntries: true });
}

/** A plain text table: header, rule, rows; columns padded to the widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return (
    [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n'
  );
}
