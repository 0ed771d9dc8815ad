/**
 * `node dist/bench/rightsizing/select.js` (after `npm run build`): how the recommender's model
 * parameters were chosen, reproducibly, from the first 16 hours only. The judged hours are cut
 * off before anything else happens.
 *
 * CPU (second round, `select-cpu.ts`): folds 0–8 h → 8–12 h, 0–10 h → 10–16 h, 0–12 h → 12–16 h
 * and the three below; a configuration qualifies when it is no worse than VPA's defaults on both
 * CPU figures in every fold, and the largest worst-case relative margin over VPA wins.
 *
 * Memory (first round): folds mimic the judged setup (8 hours judged after the history):
 * history [0, H), judged [H, H + 96) for H = 64, 80, 96 steps. A configuration qualifies when it
 * is no worse than VPA's defaults on both figures in every fold; among those, the one with the
 * lowest mean over-limit rate wins, ties broken by the lower mean slack.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { estimateMemory, shortHistoryMargin } from '../../src/analyzers/rightsizing/estimate.js';
import { DEFAULT_RIGHTSIZING_POLICY } from '../../src/analyzers/rightsizing/policy.js';
import { roundMemory } from '../../src/util/quantity.js';
import { vpaDefaults } from './baselines.js';
import {
  budgetGrid,
  cpuGrid,
  FIRST_ROUND,
  samples,
  selectBudget,
  selectCpu,
  showScores,
} from './select-cpu.js';
import { memoryFigures, type FoldScore } from './score.js';
import { HISTORY_STEPS, loadTrace, STEP_SECONDS, type Job } from './trace.js';

const HORIZON = 96;
/** The first round's folds, still those of memory. */
const FOLDS = [64, 80, 96].map((h) => ({ history: h, end: h + HORIZON }));
/**
 * The second round's CPU folds (steps of 5 minutes; BENCHMARKS.md): 0–8 h → 8–12 h,
 * 0–10 h → 10–16 h, 0–12 h → 12–16 h, and the first round's three 8-hour horizons.
 */
const CPU_FOLDS = [
  { history: 96, end: 144 },
  { history: 120, end: 192 },
  { history: 144, end: 192 },
  ...FOLDS,
];
type Fold = (typeof FOLDS)[number];
const FULL_CONFIDENCE = 24 * 3600;
const SHORT_MARGIN = DEFAULT_RIGHTSIZING_POLICY.shortHistoryMargin;

function choose<P>(
  name: string,
  grid: readonly P[],
  evaluate: (p: P, fold: Fold) => FoldScore,
  anchor: readonly FoldScore[],
): P | undefined {
  const rows = grid.map((p) => {
    const scores = FOLDS.map((fold) => evaluate(p, fold));
    const qualifies = scores.every(
      (s, i) => s.slack <= anchor[i].slack + 1e-9 && s.over <= anchor[i].over + 1e-9,
    );
    // Safety first: failures (over request, over limit) are what the issue's goal bounds
    // tightest, slack is the budget. Mean over-rate across folds, then mean slack.
    const over = scores.reduce((sum, x) => sum + x.over, 0) / scores.length;
    const slack = scores.reduce((sum, x) => sum + x.slack, 0) / scores.length;
    return { p, scores, qualifies, over, slack };
  });
  const best = rows
    .filter((r) => r.qualifies)
    .sort((a, b) => a.over - b.over || a.slack - b.slack)[0];
  console.log(`${name}: VPA per fold (slack/over %) ${showScores(anchor)}`);
  console.log(
    `${name}: ${rows.filter((r) => r.qualifies).length} of ${rows.length} configurations qualify`,
  );
  if (best !== undefined)
    console.log(`${name}: chosen ${JSON.stringify(best.p)}  ${showScores(best.scores)}`);
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
  const memoryAnchor = FOLDS.map((f, i) =>
    memoryFigures(
      jobs,
      vpa[i].map((s) => s.memoryLimit),
      f.history,
      f.end,
    ),
  );

  if (process.argv.includes('--budget')) {
    budgetRound(jobs);
    return;
  }
  const cpu = selectCpu(jobs, CPU_FOLDS, SHORT_MARGIN, FULL_CONFIDENCE);
  const firstRound = selectCpu(jobs, CPU_FOLDS, SHORT_MARGIN, FULL_CONFIDENCE, [FIRST_ROUND]);
  console.log(
    `CPU folds (history → judged, steps): ${CPU_FOLDS.map((f) => `${f.history}→${f.end}`).join('  ')}`,
  );
  console.log(`CPU: VPA per fold (slack/over %)      ${showScores(cpu.anchor)}`);
  const firstRow = firstRound.rows[0];
  console.log(
    `CPU: first round's model ${firstRow === undefined ? 'does not qualify' : `${showScores(firstRow.scores)}  worst margin ${firstRow.worstMargin.toFixed(4)}`}`,
  );
  console.log(
    `CPU: ${cpu.rows.length} of ${cpuGrid().length} configurations qualify; the best ten:`,
  );
  for (const row of cpu.rows.slice(0, 10)) {
    console.log(
      `  ${showScores(row.scores)}  worst margin ${row.worstMargin.toFixed(4)}  ${JSON.stringify(row.candidate)}`,
    );
  }
  console.log(`CPU: chosen ${JSON.stringify(cpu.chosen ?? FIRST_ROUND)}`);

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
      return memoryFigures(jobs, limits, fold.history, fold.end);
    },
    memoryAnchor,
  );
}

/** Third round (`--budget`): the price solved to VPA's budget per fold; see BENCHMARKS.md. */
function budgetRound(jobs: readonly Job[]): void {
  const result = selectBudget(jobs, CPU_FOLDS, SHORT_MARGIN, FULL_CONFIDENCE);
  console.log(
    `CPU folds (history → judged, steps): ${CPU_FOLDS.map((f) => `${f.history}→${f.end}`).join('  ')}`,
  );
  console.log(`CPU: VPA per fold (slack/over %)      ${showScores(result.anchor)}`);
  console.log(
    `CPU: ${result.rows.length} of ${budgetGrid().length} budget configurations qualify; the best ten:`,
  );
  for (const row of result.rows.slice(0, 10)) {
    console.log(
      `  ${showScores(row.scores)}  mean over ${(row.meanOver * 100).toFixed(3)}  ${JSON.stringify(row.candidate)}`,
    );
  }
  console.log(`CPU: chosen ${JSON.stringify(result.chosen ?? 'none: round two stays')}`);
}

main();
