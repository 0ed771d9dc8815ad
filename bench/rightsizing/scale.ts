/**
 * `npm run bench:rightsizing-scale`: how long the plan-wide CPU price solve
 * (`overRequestCost: auto`) takes on a large cluster. Containers are the Google trace's 300 jobs
 * repeated, each copy scaled by its own factor, over a 14-day window of 5-minute samples (the
 * trace's 24 hours tiled); the figures are wall-clock seconds and the process's peak memory.
 */
import { join } from 'node:path';
import { solveCpuBudget } from '../../src/analyzers/rightsizing/budget.js';
import {
  DEFAULT_RIGHTSIZING_POLICY,
  resolveRightsizing,
} from '../../src/analyzers/rightsizing/policy.js';
import {
  containerCpuCurve,
  type ContainerHistoryInput,
} from '../../src/analyzers/rightsizing/recommend.js';
import { projectRoot } from '../../test/support/project-root.js';
import { cpuOnlyHistory } from '../../test/support/usage.js';
import { loadTrace, STEP_SECONDS, TOTAL_STEPS } from './trace.js';

const DAYS = 14;
const SIZES = [300, 1000, 3000];

function histories(count: number): ContainerHistoryInput[] {
  const jobs = loadTrace(
    join(projectRoot(), 'test', 'fixtures', 'traces', 'google-cluster-vms-5min.csv.gz'),
  );
  const steps = (DAYS * 86400) / STEP_SECONDS;
  const now = steps * STEP_SECONDS;
  return Array.from({ length: count }, (_, c) => {
    const job = jobs[c % jobs.length];
    const factor = 0.5 + ((c * 7919) % 1000) / 1000; // 0.5 .. 1.5, fixed per copy
    const cpu = Array.from({ length: steps }, (_, k) => ({
      t: (k + 1) * STEP_SECONDS,
      v: job.cpu[k % TOTAL_STEPS] * factor,
    }));
    return cpuOnlyHistory(cpu, STEP_SECONDS, now);
  });
}

function main(): void {
  const rules = resolveRightsizing(DEFAULT_RIGHTSIZING_POLICY);
  console.log('| containers | samples each | curves (s) | price solve (s) | peak RSS (MiB) |');
  console.log('| ---: | ---: | ---: | ---: | ---: |');
  for (const size of SIZES) {
    const input = histories(size);
    const started = performance.now();
    const entries = input.map((history) => ({ history, curve: containerCpuCurve(history, rules) }));
    const built = performance.now();
    const budget = solveCpuBudget(entries, rules);
    const solved = performance.now();
    if (budget === undefined) throw new Error('no container qualified for the budget');
    const rss = process.memoryUsage().rss / 2 ** 20;
    console.log(
      `| ${size} | ${input[0].cpu[0].length} | ${((built - started) / 1000).toFixed(1)} | ${((solved - built) / 1000).toFixed(1)} | ${rss.toFixed(0)} |`,
    );
  }
}

main();
