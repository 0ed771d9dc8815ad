/**
 * `overRequestCost: auto`: one over-request price for the whole plan, solved so that the
 * proposed CPU requests of the plan's containers total no more than VPA's default recommender
 * would request for them from the same history. The cost-aware rule with a single price is the
 * cheapest placement of a total of cores against time above request (its Lagrangian), so the
 * plan spends at most VPA's cores and puts them where they keep the most time under the request.
 */
import { solveOverRequestPrice, type CpuCurve } from './estimate.js';
import { cpuRequestFrom, type ResolvedRightsizing } from './policy.js';
import type { ContainerHistoryInput } from './recommend.js';
import { vpaCpuReference } from './reference.js';

export interface CpuBudget {
  /** The solved price: cores one would pay to keep a container from ever exceeding its request. */
  readonly price: number;
  /** VPA's default recommender's total for the containers below, in cores. */
  readonly budgetCores: number;
  /** The total the proposals come to at that price (floors and rounding included), in cores. */
  readonly proposedCores: number;
  /** Containers with enough history to get a CPU proposal. */
  readonly containers: number;
}

/** A container's history with its CPU curve (`containerCpuCurve`), undefined when it has none. */
export interface BudgetEntry {
  readonly history: ContainerHistoryInput;
  readonly curve: CpuCurve | undefined;
}

/** Undefined when no container has enough history for a CPU proposal. */
export function solveCpuBudget(
  entries: readonly BudgetEntry[],
  rules: ResolvedRightsizing,
): CpuBudget | undefined {
  const eligible = entries.filter(
    (e): e is { history: ContainerHistoryInput; curve: CpuCurve } => e.curve !== undefined,
  );
  if (eligible.length === 0) return undefined;
  const finish = (cores: number): number => cpuRequestFrom(rules, cores);
  const budgetCores = eligible.reduce(
    (sum, { history }) => sum + vpaCpuReference(history.cpu.flat(), history.now),
    0,
  );
  const curves = eligible.map((e) => e.curve);
  const price = solveOverRequestPrice(curves, budgetCores, finish);
  const proposedCores = curves.reduce((sum, c) => sum + finish(c.coresAt(price)), 0);
  return { price, budgetCores, proposedCores, containers: eligible.length };
}
