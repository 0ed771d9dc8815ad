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

export function score(
  jobs: readonly Job[],
  sizing: readonly Sizing[],
  from: number,
  to: number,
): Score {
  let usage = 0;
  let requested = 0;
  let over = 0;
  let intervals = 0;
  let peaks = 0;
  let limits = 0;
  let overLimit = 0;
  jobs.forEach((job, i) => {
    const { cpuRequest, memoryLimit } = sizing[i];
    let peak = 0;
    for (let s = from; s < to; s++) {
      usage += job.cpu[s];
      requested += cpuRequest;
      intervals++;
      if (job.cpu[s] > cpuRequest) over++;
      peak = Math.max(peak, job.memory[s]);
    }
    peaks += peak;
    limits += memoryLimit;
    if (peak > memoryLimit) overLimit++;
  });
  return {
    cpuSlack: 1 - usage / requested,
    cpuOverRequest: over / intervals,
    memorySlack: 1 - peaks / limits,
    memoryOverLimit: overLimit / jobs.length,
  };
}
