/**
 * `npm run bench:rightsizing`: replays the Google cluster trace. The first 16 hours are
 * backfilled into a real Prometheus with promtool and read back through the Prometheus history
 * source; TARS plans them through the inventory and rightsizing analyzers (the `plan` code
 * path), and krr's and VPA's default recommenders see the same fetched history. The last 8 hours
 * are judged. Prints a table and writes bench/rightsizing/results.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inventoryAnalyzer } from '../../src/analyzers/inventory/index.js';
import { rightsizingAnalyzer } from '../../src/analyzers/rightsizing/index.js';
import { formatOpenMetrics } from '../../src/metrics/openmetrics/write.js';
import { PrometheusHistorySource } from '../../src/metrics/prometheus/source.js';
import type { UsageHistory } from '../../src/metrics/types.js';
import type { Change } from '../../src/model/types.js';
import { DEFAULT_POLICY } from '../../src/policy/defaults.js';
import { parseQuantity } from '../../src/util/quantity.js';
import { projectRoot } from '../../test/support/project-root.js';
import { startPrometheus } from '../../test/support/prometheus.js';
import { krrSimple, vpaDefaults } from './baselines.js';
import {
  benchSnapshot,
  CONTAINER,
  historyOpenMetrics,
  NAMESPACE,
  podName,
  T0,
  workloadName,
} from './cluster.js';
import { score, type Score, type Sizing } from './score.js';
import { HISTORY_STEPS, loadTrace, STEP_SECONDS, TOTAL_STEPS, type Job } from './trace.js';

const root = projectRoot();
const TRACE = join(root, 'test', 'fixtures', 'traces', 'google-cluster-vms-5min.csv.gz');

async function main(): Promise<void> {
  const jobs = loadTrace(TRACE);
  console.log(
    `${jobs.length} jobs, ${TOTAL_STEPS} steps of ${STEP_SECONDS}s; history ${HISTORY_STEPS} steps`,
  );
  const prometheus = await startPrometheus({
    openMetrics: [formatOpenMetrics(historyOpenMetrics(jobs))],
  });
  try {
    const source = new PrometheusHistorySource(
      { url: prometheus.url },
      { minRateWindowSeconds: STEP_SECONDS },
    );
    const before = await prometheus.queryCount();
    const history = await source.fetch({
      namespaces: [NAMESPACE],
      start: T0 + STEP_SECONDS,
      end: T0 + HISTORY_STEPS * STEP_SECONDS,
      stepSeconds: STEP_SECONDS,
    });
    const queries = (await prometheus.queryCount()) - before;
    console.log(`${history.source}: ${history.containers.length} containers in ${queries} queries`);
    checkFidelity(jobs, history);

    const tars = planWithTars(jobs, history);
    const perJob = jobs.map((job) => seriesOf(history, job));
    const krr = perJob.map(({ cpu, memory }) => krrSimple(cpu, memory));
    const vpa = perJob.map(({ cpu, memory }) => vpaDefaults(cpu, memory, history.window.end));

    const rows: [string, Score][] = [
      ['TARS', score(jobs, tars, HISTORY_STEPS, TOTAL_STEPS)],
      ['VPA defaults', score(jobs, vpa, HISTORY_STEPS, TOTAL_STEPS)],
      ['krr simple', score(jobs, krr, HISTORY_STEPS, TOTAL_STEPS)],
    ];
    printTable(rows);
    writeFileSync(
      join(root, 'bench', 'rightsizing', 'results.json'),
      `${JSON.stringify({ jobs: jobs.length, prometheusQueries: queries, results: Object.fromEntries(rows) }, null, 2)}\n`,
    );
  } finally {
    await prometheus.stop();
  }
}

/** The plan's code path: inventory, then rightsizing; the CPU request and memory limit per job from the patches. */
function planWithTars(jobs: readonly Job[], history: UsageHistory): Sizing[] {
  const snapshot = benchSnapshot(jobs);
  const policy = DEFAULT_POLICY;
  const workloads = inventoryAnalyzer.analyze({ snapshot, policy, workloads: [] }).workloads ?? [];
  const output = rightsizingAnalyzer.analyze({ snapshot, policy, workloads, history });
  for (const note of output.notes ?? []) console.log(`note: ${note}`);
  const byName = new Map<string, Change>();
  for (const change of output.changes ?? []) byName.set(change.target.name, change);
  return jobs.map((job) => {
    const change = byName.get(workloadName(job));
    if (change === undefined) throw new Error(`TARS proposed nothing for ${workloadName(job)}`);
    const containers = (
      change.manifest as unknown as {
        spec: { template: { spec: { containers: ContainerPatch[] } } };
      }
    ).spec.template.spec.containers;
    const resources = containers.find((c) => c.name === CONTAINER)?.resources;
    const cpu = resources?.requests?.cpu;
    const memory = resources?.limits?.memory;
    if (cpu === undefined || memory === undefined) {
      throw new Error(`TARS patch for ${workloadName(job)} lacks a CPU request or memory limit`);
    }
    return { cpuRequest: parseQuantity(cpu), memoryLimit: parseQuantity(memory) };
  });
}

interface ContainerPatch {
  readonly name: string;
  readonly resources?: {
    readonly requests?: Record<string, string>;
    readonly limits?: Record<string, string>;
  };
}

function seriesOf(history: UsageHistory, job: Job): UsageHistory['containers'][number] {
  const found = history.containers.find(
    (c) => c.key.pod === podName(job) && c.key.container === CONTAINER,
  );
  if (found === undefined) throw new Error(`no history for ${podName(job)}`);
  return found;
}

/** The history Prometheus serves must be the trace itself, or the comparison means nothing. */
function checkFidelity(jobs: readonly Job[], history: UsageHistory): void {
  let worstCpu = 0;
  let worstMemory = 0;
  for (const job of jobs) {
    const { cpu, memory } = seriesOf(history, job);
    if (cpu.length !== HISTORY_STEPS || memory.length !== HISTORY_STEPS) {
      throw new Error(
        `${podName(job)}: ${cpu.length} CPU and ${memory.length} memory samples, expected ${HISTORY_STEPS}`,
      );
    }
    cpu.forEach((s, k) => (worstCpu = Math.max(worstCpu, Math.abs(s.v - job.cpu[k]))));
    memory.forEach((s, k) => (worstMemory = Math.max(worstMemory, Math.abs(s.v - job.memory[k]))));
  }
  console.log(
    `fidelity: largest difference to the trace ${worstCpu.toExponential(1)} cores, ${worstMemory.toFixed(0)} bytes`,
  );
  if (worstCpu > 1e-4 || worstMemory > 1)
    throw new Error('Prometheus history differs from the trace');
}

function printTable(rows: readonly [string, Score][]): void {
  const pct = (x: number): string => `${(x * 100).toFixed(2)}%`.padStart(8);
  console.log(
    '\n| recommender | CPU slack | CPU over request | memory slack | memory over limit |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [name, s] of rows) {
    console.log(
      `| ${name} | ${pct(s.cpuSlack)} | ${pct(s.cpuOverRequest)} | ${pct(s.memorySlack)} | ${pct(s.memoryOverLimit)} |`,
    );
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
