/**
 * The anchors, as issue 4 defines them. krr "simple": CPU p95 (nearest rank, as numpy's
 * `percentile(..., method="higher")` and krr's own sort-and-index give), memory max × 1.15.
 * VPA defaults: CPU p90 of samples weighted with a 24 h half-life × 1.15, at least 25m
 * (src/analyzers/rightsizing/reference.ts); memory max × 1.15, at least 250 MB.
 */
import { vpaCpuReference } from '../../src/analyzers/rightsizing/reference.js';
import type { Sample } from '../../src/metrics/types.js';
import type { Sizing } from './score.js';

export function krrSimple(cpu: readonly Sample[], memory: readonly Sample[]): Sizing {
  const sorted = cpu.map((s) => s.v).sort((a, b) => a - b);
  const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] ?? 0;
  return { cpuRequest: p95, memoryLimit: peak(memory) * 1.15 };
}

export function vpaDefaults(
  cpu: readonly Sample[],
  memory: readonly Sample[],
  now: number,
): Sizing {
  return {
    // The same reference the plan's CPU budget uses (`overRequestCost: auto`).
    cpuRequest: vpaCpuReference(cpu, now),
    memoryLimit: Math.max(peak(memory) * 1.15, 250e6),
  };
}

function peak(samples: readonly Sample[]): number {
  return samples.reduce((m, s) => Math.max(m, s.v), 0);
}
