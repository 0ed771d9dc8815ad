/**
 * `npm run bench:rightsizing -- --select` (or `node dist/bench/rightsizing/select.js`): how the
 * recommender's model parameters were chosen, reproducibly, from the first 16 hours only. The
 * judged hours are cut off before anything else happens.
 *
 * Folds mimic the judged setup (8 hours judged after the history): history [0, H), judged
 * [H, H + 96) for H = 64, 80, 96 steps. A configuration qualifies when it is no worse than VPA's
 * defaults on both figures of the resource in every fold; among those, the one with the lowest
 * mean failure rate (CPU over request, memory over limit) wins, ties broken by the lower mean
 * slack: failures are what the goal bounds tightest, slack is the budget. CPU and
 * memory are chosen apart.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  estimateCpu,
  estimateMemory,
  shortHistoryMargin,
} from '../../src/analyzers/rightsizing/estimate.js';
import { DEFAULT_RIGHTSIZING_POLICY } from '../../src/analyzers/rightsizing/policy.js';
import type { Sample } from '../../src/metrics/types.js';
import { roundCpu, roundMemory } from '../../src/util/quantity.js';
import { vpaDefaults } from './baselines.js';
import { HISTORY_STEPS, loadTrace, STEP_SECONDS, type Job } from './trace.js';

const HORIZON = 96;
const FOLDS = [64, 80, 96].map((h) => ({ history: h, end: h + HORIZON }));
const FULL_CONFIDENCE = 24 * 3600;
const SHORT_MARGIN = DEFAULT_RIGHTSIZING_POLICY.shortHistoryMargin;

interface FoldScore {
  readonly slack: number;
  readonly over: number;
}

function samples(values: readonly number[]): Sample[] {
  return values.map((v, k) => ({ t: (k + 1) * STEP_SECONDS, v }));
}

function cpuScore(
  jobs: readonly Job[],
  requests: readonly number[],
  from: number,
  to: number,
): FoldScore {
  let usage = 0;
  let requested = 0;
  let over = 0;
  let n = 0;
  jobs.forEach((job, i) => {
    for (let s = from; s < to; s++) {
      usage += job.cpu[s];
      requested += requests[i];
      n++;
      if (job.cpu[s] > requests[i]) over++;
    }
  });
  return { slack: 1 - usage / requested, over: over / n };
}

function memoryScore(
  jobs: readonly Job[],
  limits: readonly number[],
  from: number,
  to: number,
): FoldScore {
  let peaks = 0;
  let total = 0;
  let over = 0;
  jobs.forEach((job, i) => {
    const peak = Math.max(...job.memory.slice(from, to));
    peaks += peak;
    total += limits[i];
    if (peak > limits[i]) over++;
  });
  return { slack: 1 - peaks / total, over: over / jobs.length };
}

function choose<P>(
  name: string,
  grid: readonly P[],
  evaluate: (p: P, fold: (typeof FOLDS)[number]) => FoldScore,
  anchor: readonly FoldScore[],
): P | undefined {
  const rows = grid.map((p) => {
    const scores = FOLDS.map((fold) => evaluate(p, fold));
    const qualifies = scores.every(
      (s, i) => s.slack <= anchor[i].slack + 1e-9 && s.over <= anchor[i].over + 1e-9,
    );
    // Safety first: failures (over request, over limit) are what the goal bounds
    // tightest, slack is the budget. Mean over-rate across folds, then mean slack.
    const over = scores.reduce((sum, x) => sum + x.over, 0) / scores.length;
    const slack = scores.reduce((sum, x) => sum + x.slack, 0) / scores.length;
    return { p, scores, qualifies, over, slack };
  });
  const best = rows
    .filter((r) => r.qualifies)
    .sort((a, b) => a.over - b.over || a.slack - b.slack)[0];
  const show = (s: readonly FoldScore[]): string =>
    s.map((x) => `${(x.slack * 100).toFixed(2)}/${(x.over * 100).toFixed(2)}`).join('  ');
  console.log(`${name}: VPA per fold (slack/over %) ${show(anchor)}`);
  console.log(
    `${name}: ${rows.filter((r) => r.qualifies).length} of ${rows.length} configurations qualify`,
  );
  if (best !== undefined)
    console.log(`${name}: chosen ${JSON.stringify(best.p)}  ${show(best.scores)}`);
  return best?.p;
}

function main(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const trace = join(
    root.endsWith('dist') ? dirname(root) : root,
    'test',
    'fixtures',
    'traces',
    'google-cluster-vms-5min.csv.gz',
  );
  // The judged hours never enter the selection.
  const jobs = loadTrace(trace).map((j) => ({
    ...j,
    cpu: j.cpu.slice(0, HISTORY_STEPS),
    memory: j.memory.slice(0, HISTORY_STEPS),
  }));

  const vpa = FOLDS.map((f) =>
    jobs.map((j) =>
      vpaDefaults(
        samples(j.cpu.slice(0, f.history)),
        samples(j.memory.slice(0, f.history)),
        f.history * STEP_SECONDS,
      ),
    ),
  );
  const cpuAnchor = FOLDS.map((f, i) =>
    cpuScore(
      jobs,
      vpa[i].map((s) => s.cpuRequest),
      f.history,
      f.end,
    ),
  );
  const memoryAnchor = FOLDS.map((f, i) =>
    memoryScore(
      jobs,
      vpa[i].map((s) => s.memoryLimit),
      f.history,
      f.end,
    ),
  );

  const cpuGrid = [];
  for (const halfLifeHours of [2, 4, 8, 24])
    for (const longHalfLifeHours of [0, 24])
      for (const overRequestCost of [1, 2, 3, 4])
        for (const margin of [0, 0.03, 0.05, 0.1])
          for (const minPercentile of [0, 0.9])
            for (const volatilityFactor of [0, 0.25, 0.5, 1])
              cpuGrid.push({
                halfLifeHours,
                longHalfLifeHours,
                overRequestCost,
                margin,
                minPercentile,
                volatilityFactor,
              });
  choose(
    'CPU',
    cpuGrid,
    (p, fold) => {
      const extra = shortHistoryMargin(fold.history * STEP_SECONDS, FULL_CONFIDENCE, SHORT_MARGIN);
      const model = {
        ...(p.longHalfLifeHours > 0 ? { longHalfLifeSeconds: p.longHalfLifeHours * 3600 } : {}),
        halfLifeSeconds: p.halfLifeHours * 3600,
        overRequestCost: p.overRequestCost,
        margin: p.margin,
        minPercentile: p.minPercentile,
      };
      const requests = jobs.map((j) => {
        const est = estimateCpu(
          samples(j.cpu.slice(0, fold.history)),
          fold.history * STEP_SECONDS,
          model,
          extra,
        );
        return roundCpu(Math.max(est?.cores ?? 0, 0.01), 5);
      });
      return cpuScore(jobs, requests, fold.history, fold.end);
    },
    cpuAnchor,
  );

  const memoryGrid = [];
  for (const margin of [0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1])
    for (const jumpFactor of [0.5, 1, 1.5, 2, 3, 4, 6, 8])
      for (const maxMargin of [0.15, 0.2, 0.25, 0.3, 0.4])
        memoryGrid.push({ margin, jumpFactor, maxMargin });
  choose(
    'memory',
    memoryGrid,
    (p, fold) => {
      const extra = shortHistoryMargin(fold.history * STEP_SECONDS, FULL_CONFIDENCE, SHORT_MARGIN);
      const limits = jobs.map((j) => {
        const est = estimateMemory([samples(j.memory.slice(0, fold.history))], p, extra);
        return roundMemory(Math.max(est?.bytes ?? 0, 32 * 2 ** 20), 1);
      });
      return memoryScore(jobs, limits, fold.history, fold.end);
    },
    memoryAnchor,
  );
}

main();
