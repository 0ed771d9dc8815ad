/**
 * Shapes for the demo's usage history, taken from public traces in test/fixtures/traces:
 * the Twitter per-minute request counts give the traffic curve, the Google cluster VMs give
 * each container its own short-term texture.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface VmTrace {
  readonly cpu: readonly number[];
  readonly mem: readonly number[];
}

function csvRows(text: string): string[][] {
  return text
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => line.split(','));
}

/**
 * Traffic per step, mean 1 over the returned window. The per-minute counts are smoothed with a
 * centered one-hour moving average (the archive alternates busy and quiet hours, an artifact of
 * how it was sampled) and summed into steps of `stepMinutes`.
 */
export function trafficShape(
  fixturesDir: string,
  steps: number,
  stepMinutes: number,
  offsetMinutes: number,
): number[] {
  const rows = csvRows(readFileSync(join(fixturesDir, 'twitter-requests-per-minute.csv'), 'utf8'));
  const perMinute = rows.map((r) => Number(r[1]));
  const needed = offsetMinutes + steps * stepMinutes + 60;
  if (perMinute.length < needed) {
    throw new Error(`twitter trace has ${perMinute.length} minutes, need ${needed}`);
  }
  const smoothed: number[] = [];
  for (let step = 0; step < steps; step++) {
    const center = offsetMinutes + 30 + step * stepMinutes;
    let sum = 0;
    for (let m = center - 30; m < center + 30; m++) sum += perMinute[m] ?? 0;
    smoothed.push(sum / 60);
  }
  const mean = smoothed.reduce((a, b) => a + b, 0) / smoothed.length;
  return smoothed.map((v) => v / mean);
}

/** Every VM of the Google trace, in file order, with cpu and memory in percent per 5-minute step. */
export function googleVms(fixturesDir: string): VmTrace[] {
  const text = gunzipSync(
    readFileSync(join(fixturesDir, 'google-cluster-vms-5min.csv.gz')),
  ).toString('utf8');
  const byVm = new Map<string, { cpu: number[]; mem: number[] }>();
  for (const [vm, step, cpu, mem] of csvRows(text)) {
    if (vm === undefined) continue;
    let trace = byVm.get(vm);
    if (trace === undefined) {
      trace = { cpu: [], mem: [] };
      byVm.set(vm, trace);
    }
    trace.cpu[Number(step)] = Number(cpu);
    trace.mem[Number(step)] = Number(mem);
  }
  return [...byVm.values()];
}

/** A trace divided by its own mean, clamped so one odd VM cannot dominate a container's curve. */
export function relativeToMean(values: readonly number[], lo: number, hi: number): number[] {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return values.map((v) => Math.min(hi, Math.max(lo, mean > 0 ? v / mean : 1)));
}
