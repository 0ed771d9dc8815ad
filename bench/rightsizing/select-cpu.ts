/**
 * The second round's CPU selection (BENCHMARKS.md, "Second round on CPU"): a grid of general
 * CPU models with global parameters, scored on folds inside the first 16 hours against VPA's
 * defaults. A configuration qualifies when on every fold its slack and its over-request are both
 * no worse than VPA's; the winner has the largest worst-case relative margin, min over folds and
 * both figures of (VPA − candidate) / VPA, ties broken by the lower mean over-request.
 */
import {
  cpuCurve,
  estimateCpu,
  shortHistoryMargin,
  solveOverRequestPrice,
  type CpuModel,
} from '../../src/analyzers/rightsizing/estimate.js';
import {
  cpuRequestFrom,
  DEFAULT_RIGHTSIZING_POLICY,
  resolveRightsizing,
} from '../../src/analyzers/rightsizing/policy.js';
import type { Sample } from '../../src/metrics/types.js';
import { vpaDefaults } from './baselines.js';
import { cpuFigures, type FoldScore } from './score.js';
import { STEP_SECONDS, type Job } from './trace.js';

export interface Fold {
  readonly history: number;
  readonly end: number;
}

export interface CpuCandidate {
  readonly halfLifeHours: number;
  readonly overRequestCost: number;
  readonly margin: number;
  readonly minPercentile: number;
  readonly recentWindowHours: number;
  readonly driftFactor: number;
  readonly madFactor: number;
  readonly recentPeakFactor: number;
  readonly exceedanceTarget: number;
}

/** The first round's built-in CPU model, as a point of the grid. */
export const FIRST_ROUND: CpuCandidate = {
  halfLifeHours: 4,
  overRequestCost: 2,
  margin: 0.05,
  minPercentile: 0.9,
  recentWindowHours: 0,
  driftFactor: 0,
  madFactor: 0,
  recentPeakFactor: 0,
  exceedanceTarget: 0,
};

export function samples(values: readonly number[]): Sample[] {
  return values.map((v, k) => ({ t: (k + 1) * STEP_SECONDS, v }));
}

export function cpuModelOf(c: CpuCandidate): CpuModel {
  return {
    halfLifeSeconds: c.halfLifeHours * 3600,
    overRequestCost: c.overRequestCost,
    minPercentile: c.minPercentile,
    margin: c.margin,
    recentWindowSeconds: c.recentWindowHours * 3600,
    driftFactor: c.driftFactor,
    madFactor: c.madFactor,
    recentPeakFactor: c.recentPeakFactor,
    exceedanceTarget: c.exceedanceTarget,
  };
}

/**
 * The grid, in the order it was built: a first, coarse pass over every term, then a finer pass
 * around what qualified best on the folds (the recent MAD floor, with the drift term and a higher
 * over-request cost). Both passes saw fold figures only.
 */
export function cpuGrid(): CpuCandidate[] {
  const grid: CpuCandidate[] = [FIRST_ROUND];
  const add = (axes: { readonly [K in keyof CpuCandidate]: readonly number[] }): void => {
    for (const halfLifeHours of axes.halfLifeHours)
      for (const overRequestCost of axes.overRequestCost)
        for (const margin of axes.margin)
          for (const minPercentile of axes.minPercentile)
            for (const recentWindowHours of axes.recentWindowHours)
              for (const driftFactor of axes.driftFactor)
                for (const madFactor of axes.madFactor)
                  for (const recentPeakFactor of axes.recentPeakFactor)
                    for (const exceedanceTarget of axes.exceedanceTarget)
                      grid.push({
                        halfLifeHours,
                        overRequestCost,
                        margin,
                        minPercentile,
                        recentWindowHours,
                        driftFactor,
                        madFactor,
                        recentPeakFactor,
                        exceedanceTarget,
                      });
  };
  add({
    halfLifeHours: [4, 24],
    overRequestCost: [2, 3],
    margin: [0, 0.05, 0.1],
    minPercentile: [0.9],
    recentWindowHours: [1, 2, 4],
    driftFactor: [0, 0.5, 1],
    madFactor: [0, 1.5, 3],
    recentPeakFactor: [0, 0.9],
    exceedanceTarget: [0, 0.1],
  });
  add({
    halfLifeHours: [4, 8],
    overRequestCost: [3, 4],
    margin: [0, 0.03],
    minPercentile: [0.9],
    recentWindowHours: [0.5, 1, 1.5],
    driftFactor: [0, 0.25, 0.5],
    madFactor: [2, 2.5, 3, 4],
    recentPeakFactor: [0, 0.9],
    exceedanceTarget: [0],
  });
  return grid;
}

interface Row {
  readonly candidate: CpuCandidate;
  readonly scores: readonly FoldScore[];
  readonly qualifies: boolean;
  /** min over folds and both figures of (VPA − candidate) / VPA. */
  readonly worstMargin: number;
  readonly meanOver: number;
  readonly meanSlack: number;
}

export function selectCpu(
  jobs: readonly Job[],
  folds: readonly Fold[],
  shortMargin: number,
  fullConfidenceSeconds: number,
  grid: readonly CpuCandidate[] = cpuGrid(),
): { chosen: CpuCandidate | undefined; rows: Row[]; anchor: FoldScore[] } {
  const history = folds.map((f) => jobs.map((j) => samples(j.cpu.slice(0, f.history))));
  const anchor = folds.map((f, i) =>
    cpuFigures(
      jobs,
      history[i].map((cpu) => vpaDefaults(cpu, [], f.history * STEP_SECONDS).cpuRequest),
      f.history,
      f.end,
    ),
  );
  const rows = grid.map((candidate): Row => {
    const model = cpuModelOf(candidate);
    const scores = folds.map((f, i) => {
      const now = f.history * STEP_SECONDS;
      const extra = shortHistoryMargin(now, fullConfidenceSeconds, shortMargin);
      const requests = history[i].map((cpu) =>
        finishCpu(estimateCpu(cpu, now, model, extra)?.cores ?? 0),
      );
      return cpuFigures(jobs, requests, f.history, f.end);
    });
    const margins = scores.flatMap((s, i) => [
      (anchor[i].slack - s.slack) / anchor[i].slack,
      (anchor[i].over - s.over) / anchor[i].over,
    ]);
    const worstMargin = Math.min(...margins);
    return {
      candidate,
      scores,
      qualifies: worstMargin >= -1e-9,
      worstMargin,
      meanOver: mean(scores.map((s) => s.over)),
      meanSlack: mean(scores.map((s) => s.slack)),
    };
  });
  const ranked = rows
    .filter((r) => r.qualifies)
    .sort((a, b) => b.worstMargin - a.worstMargin || a.meanOver - b.meanOver);
  return { chosen: ranked[0]?.candidate, rows: ranked, anchor };
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function showScores(scores: readonly FoldScore[]): string {
  return scores.map((x) => `${(x.slack * 100).toFixed(2)}/${(x.over * 100).toFixed(2)}`).join('  ');
}

/** The third round's candidates: the over-request price is solved per fold to VPA's budget. */
export interface BudgetCandidate {
  readonly halfLifeHours: number;
  readonly levelSpread: number;
  readonly minPercentile: number;
  /** Round two's recent-window terms (30 min window, MAD factor 2.5, drift 0.25). */
  readonly recentTerms: boolean;
}

export function budgetModelOf(c: BudgetCandidate): CpuModel {
  return {
    halfLifeSeconds: c.halfLifeHours * 3600,
    overRequestCost: 0,
    minPercentile: c.minPercentile,
    margin: 0,
    levelSpread: c.levelSpread,
    ...(c.recentTerms ? { recentWindowSeconds: 1800, driftFactor: 0.25, madFactor: 2.5 } : {}),
  };
}

export function budgetGrid(): BudgetCandidate[] {
  const grid: BudgetCandidate[] = [];
  for (const halfLifeHours of [2, 4, 8, 24])
    for (const levelSpread of [0, 0.05, 0.1, 0.15, 0.2, 0.3])
      for (const minPercentile of [0, 0.5, 0.8, 0.9])
        for (const recentTerms of [false, true])
          grid.push({ halfLifeHours, levelSpread, minPercentile, recentTerms });
  return grid;
}

const DEFAULT_RULES = resolveRightsizing(DEFAULT_RIGHTSIZING_POLICY);

/** What the plan does with an estimate (the built-in floor and rounding), as the product does. */
export function finishCpu(cores: number): number {
  return cpuRequestFrom(DEFAULT_RULES, cores);
}

/**
 * Third round: per fold, VPA's total request from that fold's history is the budget; the price
 * is solved to it. Qualifies when over-request (and slack) are no worse than VPA's on every fold;
 * the lowest mean over-request wins, ties by the lower mean slack.
 */
export function selectBudget(
  jobs: readonly Job[],
  folds: readonly Fold[],
  shortMargin: number,
  fullConfidenceSeconds: number,
  grid: readonly BudgetCandidate[] = budgetGrid(),
): { chosen: BudgetCandidate | undefined; rows: BudgetRow[]; anchor: FoldScore[] } {
  const history = folds.map((f) => jobs.map((j) => samples(j.cpu.slice(0, f.history))));
  const vpa = folds.map((f, i) =>
    history[i].map((cpu) => vpaDefaults(cpu, [], f.history * STEP_SECONDS).cpuRequest),
  );
  const anchor = folds.map((f, i) => cpuFigures(jobs, vpa[i], f.history, f.end));
  const rows = grid.map((candidate): BudgetRow => {
    const model = budgetModelOf(candidate);
    const prices: number[] = [];
    const scores = folds.map((f, i) => {
      const now = f.history * STEP_SECONDS;
      const extra = shortHistoryMargin(now, fullConfidenceSeconds, shortMargin);
      const curves = history[i].map((cpu) => cpuCurve(cpu, now, model, extra)!);
      const budget = vpa[i].reduce((a, b) => a + b, 0);
      const price = solveOverRequestPrice(curves, budget, finishCpu);
      prices.push(price);
      const requests = curves.map((c) => finishCpu(c.coresAt(price)));
      return cpuFigures(jobs, requests, f.history, f.end);
    });
    const qualifies = scores.every(
      (s, i) => s.over <= anchor[i].over + 1e-12 && s.slack <= anchor[i].slack + 1e-12,
    );
    return {
      candidate,
      scores,
      prices,
      qualifies,
      meanOver: mean(scores.map((s) => s.over)),
      meanSlack: mean(scores.map((s) => s.slack)),
    };
  });
  const ranked = rows
    .filter((r) => r.qualifies)
    .sort((a, b) => a.meanOver - b.meanOver || a.meanSlack - b.meanSlack);
  return { chosen: ranked[0]?.candidate, rows: ranked, anchor };
}

export interface BudgetRow {
  readonly candidate: BudgetCandidate;
  readonly scores: readonly FoldScore[];
  readonly prices: readonly number[];
  readonly qualifies: boolean;
  readonly meanOver: number;
  readonly meanSlack: number;
}
