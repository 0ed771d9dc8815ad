import { describe, expect, it } from 'vitest';
import type { Sample } from '../../metrics/types.js';
import { solveCpuBudget } from './budget.js';
import { budgetNote } from './index.js';
import { DEFAULT_RIGHTSIZING_POLICY, resolveRightsizing } from './policy.js';
import { containerCpuCurve, type ContainerHistoryInput } from './recommend.js';
import { vpaCpuReference } from './reference.js';
import { cpuOnlyHistory } from '../../../test/support/usage.js';

const STEP = 300;
const NOW = 1_000_000;
const rules = resolveRightsizing(DEFAULT_RIGHTSIZING_POLICY);

function history(hours: number, v: (i: number, n: number) => number): ContainerHistoryInput {
  const n = (hours * 3600) / STEP;
  const cpu: Sample[] = Array.from({ length: n }, (_, i) => ({
    t: NOW - (n - 1 - i) * STEP,
    v: v(i, n),
  }));
  return cpuOnlyHistory(cpu, STEP, NOW);
}

const entry = (h: ContainerHistoryInput) => ({ history: h, curve: containerCpuCurve(h, rules) });

describe('the plan-wide CPU budget', () => {
  it('spends at most VPA’s total, moving cores from a steady container to a spiky one', () => {
    const steady = history(24, (i) => 1 + 0.01 * (i % 3));
    const spiky = history(24, (i) => (i % 10 === 0 ? 0.8 : 0.2));
    const budget = solveCpuBudget([entry(steady), entry(spiky)], rules)!;
    const vpa = vpaCpuReference(steady.cpu[0], NOW) + vpaCpuReference(spiky.cpu[0], NOW);
    expect(budget.budgetCores).toBeCloseTo(vpa, 12);
    expect(budget.proposedCores).toBeLessThanOrEqual(vpa);
    // The steady one gets less than VPA's 15% margin, the spiky one more than VPA's p90 × 1.15.
    const at = (h: ContainerHistoryInput) => entry(h).curve!.coresAt(budget.price);
    expect(at(steady)).toBeLessThan(vpaCpuReference(steady.cpu[0], NOW));
    expect(at(spiky)).toBeGreaterThan(vpaCpuReference(spiky.cpu[0], NOW));
    // The largest price that fits: a little more and the total is over.
    const over = (h: ContainerHistoryInput) => entry(h).curve!.coresAt(budget.price * 1.01);
    expect(over(steady) + over(spiky)).toBeGreaterThan(vpa);
    expect(budgetNote(budget)).toMatch(/solved for the plan/);
  });

  it('counts only containers with enough history, and says nothing without any', () => {
    const short = history(2, () => 0.5);
    expect(solveCpuBudget([entry(short)], rules)).toBeUndefined();
    const long = history(24, () => 0.5);
    expect(solveCpuBudget([entry(short), entry(long)], rules)!.containers).toBe(1);
  });

  it('keeps the safety floors when they alone exceed the budget, and says so', () => {
    // A day at 0.1, then the last half hour at 1: VPA's 24 h p90 lags; the recent floor does not.
    const jump = history(24, (i, n) => (i >= n - 6 ? 1 : 0.1));
    const budget = solveCpuBudget([entry(jump)], rules)!;
    expect(budget.proposedCores).toBeGreaterThan(budget.budgetCores);
    expect(budget.proposedCores).toBeGreaterThanOrEqual(1);
    expect(budgetNote(budget)).toMatch(/floors alone ask for more, and they stand/);
  });
});
