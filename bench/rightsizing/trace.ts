/**
 * The Google cluster trace of the benchmark: 300 jobs × 288 five-minute steps, CPU as a share of
 * 2 cores and memory as a share of 4 GiB (test/fixtures/traces/SOURCES.md).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export const STEP_SECONDS = 300;
export const HISTORY_STEPS = 192; // 16 h
export const TOTAL_STEPS = 288; // 24 h
const CPU_CORES = 2;
const MEMORY_BYTES = 4 * 2 ** 30;

export interface Job {
  /** `vm_5096532144_10` in the file. */
  readonly id: string;
  /** Cores per step. */
  readonly cpu: readonly number[];
  /** Bytes per step. */
  readonly memory: readonly number[];
}

export function loadTrace(path: string): Job[] {
  const lines = gunzipSync(readFileSync(path)).toString('utf8').trim().split('\n');
  const header = lines[0]?.split(',') ?? [];
  const column = (name: string): number => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`${path}: no column ${name} in ${header.join(',')}`);
    return index;
  };
  const [vm, step, cpu, mem] = ['vm', 'step', 'cpu_pct', 'mem_pct'].map(column) as [
    number,
    number,
    number,
    number,
  ];
  const jobs = new Map<string, { cpu: number[]; memory: number[] }>();
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    const id = cells[vm];
    const at = Number(cells[step]);
    const job = jobs.get(id) ?? { cpu: [], memory: [] };
    job.cpu[at] = (Number(cells[cpu]) / 100) * CPU_CORES;
    job.memory[at] = (Number(cells[mem]) / 100) * MEMORY_BYTES;
    jobs.set(id, job);
  }
  const out = [...jobs.entries()].map(([id, j]) => ({ id, cpu: j.cpu, memory: j.memory }));
  for (const job of out) {
    if (job.cpu.length !== TOTAL_STEPS || job.cpu.some((v) => !Number.isFinite(v))) {
      throw new Error(`${path}: job ${job.id} does not have ${TOTAL_STEPS} complete steps`);
    }
  }
  return out;
}
