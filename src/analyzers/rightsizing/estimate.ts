/**
 * The statistics behind the recommender, free of policy rules: what CPU request and memory
 * limit the history alone supports. Kept apart so the benchmark and the tests can look at the
 * estimates themselves.
 *
 * CPU is compressible: a container above its request is only slowed down when the node is busy.
 * The request is therefore a trade between paying for idle cores and running above the request,
 * made per container: the level r minimizing `r + overRequestCost × P(usage > r)`, where P is
 * measured on recency-weighted samples (a decaying histogram, like VPA's, with a shorter
 * half-life so a level shift counts sooner). A steady container gets a request just above its
 * usual peak; a spiky one a request below its rare spikes, where covering them would cost more
 * cores than the spikes are worth. It is never below a weighted percentile (`minPercentile`).
 *
 * Memory is not compressible: the limit is the observed peak plus a margin that grows with how
 * abruptly the container's memory has moved (its largest 5-minute jump relative to the peak),
 * so steady containers get a small margin and jumpy ones up to `maxMargin`.
 */
import type { Sample } from '../../metrics/types.js';

export interface CpuModel {
  readonly halfLifeSeconds: number;
  /** A second, longer memory the request must also satisfy. */
  readonly longHalfLifeSeconds?: number;
  /** Cores one would pay to avoid a container being above its request all the time. */
  readonly overRequestCost: number;
  /** 0..1 */
  readonly minPercentile: number;
  readonly margin: number;
  /**
   * Added margin per unit of the container's relative spread, (p90 − p50) / p50 of the weighted
   * samples: volatile containers get more headroom for what their history has not shown yet.
   */
  readonly volatilityFactor?: number;
  /**
   * Window of the recent-history terms below (drift, MAD floor, recent peak, exceedance floor).
   * They look at what the last hours did, which a decaying histogram dilutes with older samples.
   */
  readonly recentWindowSeconds?: number;
  /**
   * Added to the level: this × max(0, median of the last window − median of the window before).
   * A load that is rising keeps rising for a while; the request should not lag it by a window.
   */
  readonly driftFactor?: number;
  /** Floor: median of the last window + this × 1.4826 × its MAD (a robust sigma). */
  readonly madFactor?: number;
  /** Floor: this × the peak of the last window. */
  readonly recentPeakFactor?: number;
  /**
   * Floor: the lowest level whose share of exceeding samples in the last window, raised to its
   * Wilson upper bound (z = `exceedanceZ`, default 1.645), stays at or under this target (0..1).
   */
  readonly exceedanceTarget?: number;
  readonly exceedanceZ?: number;
  /**
   * Level uncertainty σ: every sample is also counted at × (1 − σ) and × (1 + σ), a third of its
   * weight each, so the next hours may sit a little above or below what was seen.
   */
  readonly levelSpread?: number;
}

/** Cap of the volatility margin, so one wild history cannot ask for many times its usage. */
const MAX_VOLATILITY_MARGIN = 0.5;

export interface MemoryModel {
  readonly margin: number;
  readonly jumpFactor: number;
  readonly maxMargin: number;
}

export interface CpuEstimate {
  /** Cores, before floors and rounding. */
  readonly cores: number;
  /** Weighted share of samples at or below the estimate before its margin, in percent. */
  readonly percentile: number;
  readonly samples: number;
}

export interface MemoryEstimate {
  /** Bytes, before floors and rounding. */
  readonly bytes: number;
  readonly peak: number;
  /** Relative margin applied on top of the peak. */
  readonly margin: number;
  readonly samples: number;
}

/** Weights halving every `halfLifeSeconds` going back from `now`. */
export function decayWeights(
  samples: readonly Sample[],
  now: number,
  halfLifeSeconds: number,
): number[] {
  return samples.map((s) => Math.pow(2, -(now - s.t) / halfLifeSeconds));
}

/** The smallest value whose weighted cumulative share reaches `p` (0..1). */
export function weightedPercentile(
  values: readonly number[],
  weights: readonly number[],
  p: number,
): number {
  if (values.length === 0) throw new RangeError('weightedPercentile of no values');
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  return sortedWeightedPercentile(
    order.map((i) => values[i]),
    order.map((i) => weights[i]),
    p,
  );
}

/**
 * Span the samples cover, in seconds: first to last plus one step (each sample stands for the
 * step that ends at it). Zero for no samples.
 */
export function historySpanSeconds(samples: readonly Sample[], stepSeconds: number): number {
  if (samples.length === 0) return 0;
  let first = Infinity;
  let last = -Infinity;
  for (const s of samples) {
    if (s.t < first) first = s.t;
    if (s.t > last) last = s.t;
  }
  return last - first + stepSeconds;
}

/**
 * CPU request from usage samples (cores) of every pod of the container, pooled.
 * `extraMargin` is the short-history margin, added to the model's. With `longHalfLifeSeconds`
 * the level must also hold under the long memory: a recent lull does not hide an older load.
 */
export function estimateCpu(
  samples: readonly Sample[],
  now: number,
  model: CpuModel,
  extraMargin = 0,
): CpuEstimate | undefined {
  return cpuCurve(samples, now, model, extraMargin)?.at(model.overRequestCost);
}

/**
 * A container's CPU estimate as a function of the over-request price: everything that does not
 * depend on the price (sorting, weights, floors, drift) is computed once, so a plan can solve one
 * price for all its containers (`solveOverRequestPrice`) without redoing it per trial.
 */
export interface CpuCurve {
  /** Cores at this over-request price: a binary search, cheap enough for a solver's trials. */
  coresAt(overRequestCost: number): number;
  /** The estimate at this price, with the weighted share of samples it covers (a pass over them). */
  at(overRequestCost: number): CpuEstimate;
}

export function cpuCurve(
  samples: readonly Sample[],
  now: number,
  model: CpuModel,
  extraMargin = 0,
): CpuCurve | undefined {
  if (samples.length === 0) return undefined;
  const raw = samples.map((s) => Math.max(0, s.v));
  const rawWeights = decayWeights(samples, now, model.halfLifeSeconds);
  // One sort serves every table below: the kernel's copies are scalings, merged in order.
  const order = raw.map((_, i) => i).sort((a, b) => raw[a] - raw[b]);
  const sorted = order.map((i) => raw[i]);
  const byValue = (weights: readonly number[]): number[] => order.map((i) => weights[i]);
  const sigma = model.levelSpread ?? 0;
  const scale = 1 + model.margin + extraMargin + volatilityMargin(raw, rawWeights, model);
  const sortedWeights = byValue(rawWeights);
  const short = levelTable(spreadSorted(sorted, sortedWeights, sigma));
  const long =
    model.longHalfLifeSeconds === undefined
      ? undefined
      : levelTable(
          spreadSorted(
            sorted,
            byValue(decayWeights(samples, now, model.longHalfLifeSeconds)),
            sigma,
          ),
        );
  const floorLevel = Math.max(
    sortedWeightedPercentile(sorted, sortedWeights, model.minPercentile),
    recentFloor(samples, now, model),
  );
  const drift = recentDrift(samples, now, model);
  const levelAt = (cost: number): number => {
    let best = costAwareLevel(short, cost, scale);
    if (long !== undefined) best = Math.max(best, costAwareLevel(long, cost, scale));
    return Math.max(best, floorLevel) + drift;
  };
  return {
    coresAt: (cost) => levelAt(cost) * scale,
    at(cost: number): CpuEstimate {
      const level = levelAt(cost);
      const share = weightedShareAtOrBelow(raw, rawWeights, level);
      return { cores: level * scale, percentile: round1(share * 100), samples: samples.length };
    },
  };
}

/** Values ascending, each with its weight. */
interface Weighted {
  readonly values: readonly number[];
  readonly weights: readonly number[];
}

/**
 * The three-point kernel of `CpuModel.levelSpread` on ascending values: each sample also counted
 * at × (1 − σ) and × (1 + σ), a third of its weight at each point. The three scaled copies are
 * each ascending, so a merge keeps the result ascending without another sort.
 */
function spreadSorted(
  values: readonly number[],
  weights: readonly number[],
  sigma: number,
): Weighted {
  if (sigma <= 0) return { values, weights };
  const copies = [1 - sigma, 1, 1 + sigma];
  const next = [0, 0, 0];
  const out = { values: [] as number[], weights: [] as number[] };
  for (let k = 0; k < 3 * values.length; k++) {
    let pick = -1;
    for (let c = 0; c < 3; c++) {
      if (next[c] >= values.length) continue;
      if (pick < 0 || values[next[c]] * copies[c] < values[next[pick]] * copies[pick]) pick = c;
    }
    out.values.push(values[next[pick]] * copies[pick]);
    out.weights.push(weights[next[pick]] / 3);
    next[pick]++;
  }
  return out;
}

/** `weightedPercentile` for values already ascending. */
function sortedWeightedPercentile(
  values: readonly number[],
  weights: readonly number[],
  p: number,
): number {
  const total = weights.reduce((sum, w) => sum + w, 0);
  let cumulative = 0;
  for (let i = 0; i < values.length; i++) {
    cumulative += weights[i];
    if (cumulative >= p * total) return values[i];
  }
  return values[values.length - 1];
}

/**
 * The largest over-request price whose estimates, summed over `curves` after `finish` (floors and
 * rounding), stay within `budget` cores: the cheapest placement of those cores against time above
 * request. The sum only grows with the price, so a bisection on its logarithm finds it. Returns
 * `minPrice` when even that is over budget.
 */
export function solveOverRequestPrice(
  curves: readonly CpuCurve[],
  budget: number,
  finish: (cores: number) => number,
  { minPrice = 1e-6, maxPrice = 1e6, iterations = 60 } = {},
): number {
  const total = (price: number): number =>
    curves.reduce((sum, c) => sum + finish(c.coresAt(price)), 0);
  if (total(maxPrice) <= budget) return maxPrice;
  if (total(minPrice) > budget) return minPrice;
  let low = Math.log(minPrice);
  let high = Math.log(maxPrice);
  for (let i = 0; i < iterations; i++) {
    const mid = (low + high) / 2;
    if (total(Math.exp(mid)) <= budget) low = mid;
    else high = mid;
  }
  return Math.exp(low);
}

function weightedShareAtOrBelow(
  values: readonly number[],
  weights: readonly number[],
  level: number,
): number {
  let below = 0;
  let total = 0;
  values.forEach((v, i) => {
    total += weights[i];
    if (v <= level) below += weights[i];
  });
  return total > 0 ? below / total : 1;
}

/** Values of the samples in (from, to], ascending. */
function windowValues(samples: readonly Sample[], from: number, to: number): number[] {
  const out: number[] = [];
  for (const s of samples) if (s.t > from && s.t <= to) out.push(Math.max(0, s.v));
  return out.sort((a, b) => a - b);
}

function median(sorted: readonly number[]): number {
  const n = sorted.length;
  return n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/** The largest of the recent-window floors the model enables; 0 when none is. */
function recentFloor(samples: readonly Sample[], now: number, model: CpuModel): number {
  const window = model.recentWindowSeconds ?? 0;
  if (window <= 0) return 0;
  const recent = windowValues(samples, now - window, now);
  if (recent.length === 0) return 0;
  let floor = 0;
  if ((model.madFactor ?? 0) > 0) {
    const center = median(recent);
    const mad = median(recent.map((v) => Math.abs(v - center)).sort((a, b) => a - b));
    floor = Math.max(floor, center + model.madFactor! * 1.4826 * mad);
  }
  if ((model.recentPeakFactor ?? 0) > 0) {
    floor = Math.max(floor, model.recentPeakFactor! * recent[recent.length - 1]);
  }
  if ((model.exceedanceTarget ?? 0) > 0) {
    floor = Math.max(
      floor,
      exceedanceLevel(recent, model.exceedanceTarget!, model.exceedanceZ ?? 1.645),
    );
  }
  return floor;
}

/**
 * The lowest of the sorted values whose exceedance share (samples strictly above it), raised to
 * its Wilson upper bound, is at most `target`; the peak when none is (too few samples to say).
 */
export function exceedanceLevel(sorted: readonly number[], target: number, z: number): number {
  const n = sorted.length;
  for (let k = 0; k < n; k++) {
    if (k + 1 < n && sorted[k + 1] === sorted[k]) continue;
    if (wilsonUpper(n - 1 - k, n, z) <= target) return sorted[k];
  }
  return sorted[n - 1];
}

/** Upper end of the Wilson score interval of `successes` out of `n`. */
export function wilsonUpper(successes: number, n: number, z: number): number {
  const p = successes / n;
  const z2 = z * z;
  const center = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return (center + spread) / (1 + z2 / n);
}

/** driftFactor × the rise of the recent median over the median of the window before it. */
function recentDrift(samples: readonly Sample[], now: number, model: CpuModel): number {
  const window = model.recentWindowSeconds ?? 0;
  const factor = model.driftFactor ?? 0;
  if (window <= 0 || factor <= 0) return 0;
  const recent = windowValues(samples, now - window, now);
  const before = windowValues(samples, now - 2 * window, now - window);
  if (recent.length === 0 || before.length === 0) return 0;
  return factor * Math.max(0, median(recent) - median(before));
}

function volatilityMargin(
  values: readonly number[],
  weights: readonly number[],
  model: CpuModel,
): number {
  const factor = model.volatilityFactor ?? 0;
  if (factor === 0) return 0;
  const median = weightedPercentile(values, weights, 0.5);
  const p90 = weightedPercentile(values, weights, 0.9);
  if (median <= 0) return p90 > 0 ? MAX_VOLATILITY_MARGIN : 0;
  return Math.min(MAX_VOLATILITY_MARGIN, factor * ((p90 - median) / median));
}

/**
 * The candidate levels of the cost-aware rule: the lower convex hull of (level, weighted share of
 * samples strictly above it) over the distinct levels. Only hull vertices can minimize
 * `level + price × share`, and the minimizer moves right as the price grows, so each price is a
 * binary search over the hull's slopes.
 */
interface LevelTable {
  readonly levels: readonly number[];
  /** slopes[k]: (share[k + 1] − share[k]) / (level[k + 1] − level[k]), increasing in k. */
  readonly slopes: readonly number[];
}

function levelTable({ values, weights }: Weighted): LevelTable {
  const total = weights.reduce((sum, w) => sum + w, 0);
  const hull: Point[] = [];
  // Walk the distinct values upwards; `above` is the weight of samples strictly above the level.
  let above = total;
  for (let k = 0; k < values.length; k++) {
    const level = values[k];
    above -= weights[k];
    if (k + 1 < values.length && values[k + 1] === level) continue;
    const point = { level, share: total > 0 ? Math.max(0, above) / total : 0 };
    while (hull.length >= 2 && !turnsLeft(hull[hull.length - 2], hull[hull.length - 1], point)) {
      hull.pop();
    }
    hull.push(point);
  }
  const slopes: number[] = [];
  for (let k = 0; k + 1 < hull.length; k++) {
    slopes.push((hull[k + 1].share - hull[k].share) / (hull[k + 1].level - hull[k].level));
  }
  return { levels: hull.map((p) => p.level), slopes };
}

interface Point {
  readonly level: number;
  readonly share: number;
}

/** True when b lies strictly below the segment from a to c (so b stays on the lower hull). */
function turnsLeft(a: Point, b: Point, c: Point): boolean {
  return (b.level - a.level) * (c.share - a.share) - (b.share - a.share) * (c.level - a.level) > 0;
}

/**
 * The level minimizing `level × scale + cost × P(usage > level)`: the first hull vertex from which
 * going right no longer pays, i.e. whose next slope is at least −scale / cost.
 */
function costAwareLevel(table: LevelTable, cost: number, scale: number): number {
  if (cost <= 0) return table.levels[0];
  const threshold = -scale / cost;
  let low = 0;
  let high = table.slopes.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (table.slopes[mid] < threshold) low = mid + 1;
    else high = mid;
  }
  return table.levels[low];
}

/**
 * Memory limit from working-set samples (bytes), one series per pod (jumps are measured within
 * a pod, never across two pods).
 */
export function estimateMemory(
  seriesPerPod: readonly (readonly Sample[])[],
  model: MemoryModel,
  extraMargin = 0,
): MemoryEstimate | undefined {
  let peak = 0;
  let samples = 0;
  for (const series of seriesPerPod) {
    for (const s of series) peak = Math.max(peak, s.v);
    samples += series.length;
  }
  if (samples === 0) return undefined;
  let largestJump = 0;
  for (const series of seriesPerPod) {
    const ordered = [...series].sort((a, b) => a.t - b.t);
    for (let i = 1; i < ordered.length; i++) {
      largestJump = Math.max(largestJump, Math.abs(ordered[i].v - ordered[i - 1].v));
    }
  }
  const relativeJump = peak > 0 ? largestJump / peak : 0;
  const margin =
    Math.min(model.maxMargin, model.margin + model.jumpFactor * relativeJump) + extraMargin;
  return { bytes: peak * (1 + margin), peak, margin, samples };
}

/** VPA-like confidence: extra margin fading linearly from `atZero` to 0 at full history. */
export function shortHistoryMargin(
  historySeconds: number,
  fullConfidenceSeconds: number,
  atZero: number,
): number {
  if (fullConfidenceSeconds <= 0) return 0;
  return atZero * Math.max(0, 1 - historySeconds / fullConfidenceSeconds);
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
