/** The four figures of issue 4, over the judged steps. */
import type { Job } from './trace.js';

export interface Sizing {
  /** Cores. */
  readonly cpuRequest: number;
  /** Bytes. */
  readonly memoryLimit: number;
}

export interface Score {
  /** 1 − Σ usage / Σ request over all judged intervals. */
  readonly cpuSlack: number;
  /** Share of judged intervals with usage above the request. */
  readonly cpuOverRequest: number;
  /** 1 − Σ judged peak / Σ limit. */
  readonly memorySlack: number;
  /** Share of workloads whose judged peak exceeds the limit. */
  readonly memoryOverLimit: number;
}

/** One resource's figures: slack, and the share of intervals (CPU) or workloads (memory) over. */
export interface FoldScore {
  readonly slack: number;
  readonly over: number;
}

/** CPU slack and over-request of per-job requests (cores) over steps [from, to). */
export function cpuFigures(
  jobs: readonly Job[],
  requests: readonly number[],
  from: number,
  to: number,
): FoldScore {
  let usage = 0;
  let requested = 0;
  let over = 0;
  let intervals = 0;
  jobs.forEach((job, i) => {
    for (let s = from; s < to; s++) {
      usage += job.cpu[s];
      requested += requests[i];
      intervals++;
      if (job.cpu[s] > requests[i]) over++;
    }
  });
  return { slack: 1 - usage / requested, over: over / intervals };
}

/** Memory slack and over-limit share of per-job limits (bytes) over steps [from, to). */
export function memoryFigures(
  jobs: readonly Job[],
  limits: readonly number[],
  from: number,
  to: number,
): FoldScore {
  let peaks = 0;
  let total = 0;
  let over = 0;
  jobs.forEach((job, i) => {
    let peak = 0;
    for (let s = from; s < to; s++) peak = Math.max(peak, job.memory[s]);
    peaks += peak;
    total += limits[i];
    if (peak > limits[i]) over++;
  });
  return { slack: 1 - peaks / total, over: over / jobs.length };
}

export function score(
  jobs: readonly Job[],
  sizing: readonly Sizing[],
  from: number,
  to: number,
): Score {
  const cpu = cpuFigures(
    jobs,
    sizing.map((s) => s.cpuRequest),
    from,
    to,
  );
  const memory = memoryFigures(
    jobs,
    sizing.map((s) => s.memoryLimit),
    from,
    to,
  );
  return {
    cpuSlack: cpu.slack,
    cpuOverRequest: cpu.over,
    memorySlack: memory.slack,
    memoryOverLimit: memory.over,
  };
}
