import { describe, expect, it } from 'vitest';
import type { Sample } from '../../metrics/types.js';
import {
  cpuCurve,
  decayWeights,
  estimateCpu,
  estimateMemory,
  exceedanceLevel,
  shortHistoryMargin,
  solveOverRequestPrice,
  weightedPercentile,
  wilsonUpper,
} from './estimate.js';
import { DEFAULT_RIGHTSIZING_POLICY, resolveRightsizing, withOverRequestPrice } from './policy.js';
import { recommendContainer, type ContainerHistoryInput, type Resources } from './recommend.js';

const STEP = 300;
const MI = 2 ** 20;
/** The built-in rules at a fixed over-request price (a plan solves it under `auto`). */
const rules = withOverRequestPrice(resolveRightsizing(DEFAULT_RIGHTSIZING_POLICY), 3);

/** `hours` of 5-minute samples ending at `end`, values from `f(i)`. */
function series(hours: number, f: (i: number) => number, end = 1_000_000): Sample[] {
  const n = Math.round((hours * 3600) / STEP);
  return Array.from({ length: n }, (_, i) => ({ t: end - (n - 1 - i) * STEP, v: f(i) }));
}

function history(
  cpu: Sample[],
  memory: Sample[],
  extra: Partial<ContainerHistoryInput> = {},
): ContainerHistoryInput {
  return {
    cpu: [cpu],
    memory: [memory],
    throttled: [],
    oomKills: 0,
    restarts: 0,
    confidence: 'high',
    stepSeconds: STEP,
    now: 1_000_000,
    ...extra,
  };
}

const steadyCpu = (hours = 48): Sample[] => series(hours, (i) => 0.2 + 0.01 * (i % 5));
const steadyMemory = (hours = 48): Sample[] => series(hours, (i) => 200 * MI + (i % 3) * MI);

/** A small deterministic generator, so the random cases are the same on every run. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) % 2 ** 32;
    return state / 2 ** 32;
  };
}

/** The cost-aware level by brute force: every distinct value tried. */
function bruteForceLevel(samples: readonly Sample[], now: number, halfLife: number, cost: number) {
  const weights = decayWeights(samples, now, halfLife);
  const total = weights.reduce((a, b) => a + b, 0);
  let best = Infinity;
  let level = 0;
  for (const candidate of [...new Set(samples.map((s) => s.v))].sort((a, b) => a - b)) {
    const above = samples.reduce((w, s, i) => w + (s.v > candidate ? weights[i] : 0), 0);
    const value = candidate + (cost * above) / total;
    if (value < best - 1e-12) {
      best = value;
      level = candidate;
    }
  }
  return level;
}

describe('the over-request price', () => {
  const bare = { halfLifeSeconds: 4 * 3600, overRequestCost: 1, minPercentile: 0, margin: 0 };

  it('the cost-aware level is the brute-force minimizer at any price', () => {
    const random = lcg(7);
    for (let trial = 0; trial < 40; trial++) {
      const samples = series(6, () => Math.round(random() * random() * 200) / 100);
      for (const cost of [0.01, 0.1, 0.5, 1, 3, 10, 100]) {
        const curve = cpuCurve(samples, 1_000_000, bare)!;
        expect(curve.at(cost).cores).toBeCloseTo(
          bruteForceLevel(samples, 1_000_000, bare.halfLifeSeconds, cost),
          12,
        );
      }
    }
  });

  it('a higher price never lowers a request, and the solved price meets the budget', () => {
    const random = lcg(11);
    const curves = Array.from({ length: 20 }, (_, j) =>
      cpuCurve(
        series(12, () => (j + 1) * 0.05 * (1 + (random() < 0.1 ? 3 * random() : random() / 5))),
        1_000_000,
        bare,
      )!,
    );
    const total = (price: number): number => curves.reduce((sum, c) => sum + c.at(price).cores, 0);
    for (const price of [0.01, 0.1, 1, 10])
      expect(total(price * 2)).toBeGreaterThanOrEqual(total(price));
    const budget = (total(0.01) + total(100)) / 2;
    const price = solveOverRequestPrice(curves, budget, (c) => c);
    expect(total(price)).toBeLessThanOrEqual(budget);
    // Just above the solved price the budget is exceeded: the price is the largest that fits.
    expect(total(price * 1.001)).toBeGreaterThan(budget);
  });

  it('the level spread covers a steady container a little above what it has shown', () => {
    const steady = series(12, (i) => 0.5 + 0.001 * (i % 2));
    const plain = cpuCurve(steady, 1_000_000, bare)!.at(10).cores;
    const spread = cpuCurve(steady, 1_000_000, { ...bare, levelSpread: 0.1 })!.at(10).cores;
    expect(plain).toBeCloseTo(0.501, 9);
    expect(spread).toBeCloseTo(0.501 * 1.1, 9);
    // At a low price the spread's upper third is not worth covering.
    expect(cpuCurve(steady, 1_000_000, { ...bare, levelSpread: 0.1 })!.at(0.01).cores).toBeLessThan(
      0.51,
    );
  });
});

describe('estimates', () => {
  it('weighted percentile follows the weights', () => {
    expect(weightedPercentile([1, 2, 3, 4], [1, 1, 1, 1], 0.5)).toBe(2);
    expect(weightedPercentile([1, 2, 3, 4], [0, 0, 0, 1], 0.5)).toBe(4);
  });

  it('CPU of a steady container sits just above its usual peak, plus the level spread', () => {
    // Its recent jitter (0.20..0.24 m) adds what the recent MAD floor asks: 2.5 robust sigmas
    // over the last 30 minutes' median, about 0.27.
    const noSpread = { ...rules.cpuModel, levelSpread: 0 };
    const est = estimateCpu(steadyCpu(), 1_000_000, noSpread)!;
    expect(est.cores).toBeGreaterThanOrEqual(0.24);
    expect(est.cores).toBeLessThan(0.24 * 1.15);
    const flat = estimateCpu(
      series(48, () => 0.3),
      1_000_000,
      noSpread,
    )!;
    expect(flat.cores).toBeCloseTo(0.3, 9); // no spread, no rise: no margin (the policy's is 0)
    // The built-in spread (0.3) counts every sample also at × 1.3: at this price, worth covering.
    expect(estimateCpu(steadyCpu(), 1_000_000, rules.cpuModel)!.cores).toBeCloseTo(0.24 * 1.3, 9);
  });

  it('the request is at least the recent median plus madFactor robust sigmas of the recent window', () => {
    // 46 quiet hours at 0.1, then the last 30 minutes (6 samples) alternate 0.2 / 0.4.
    const recentSwing = series(48, (i, n = 576) => (i < n - 6 ? 0.1 : i % 2 === 0 ? 0.2 : 0.4));
    const est = estimateCpu(recentSwing, 1_000_000, rules.cpuModel)!;
    // Median 0.3, MAD 0.1: 0.3 + 2.5 × 1.4826 × 0.1 ≈ 0.67; the drift term adds 0.25 × (0.3 − 0.1).
    expect(est.cores).toBeCloseTo(0.3 + 2.5 * 1.4826 * 0.1 + 0.25 * 0.2, 6);
    const without = estimateCpu(recentSwing, 1_000_000, {
      ...rules.cpuModel,
      madFactor: 0,
      driftFactor: 0,
    })!;
    expect(without.cores).toBeLessThan(0.45);
  });

  it('a rising load adds driftFactor × the rise of the recent median; a falling one adds nothing', () => {
    const model = { ...rules.cpuModel, madFactor: 0, driftFactor: 1 };
    const base = { ...model, driftFactor: 0 };
    // The window before the last 30 minutes runs at 0.3, the last 30 minutes at 0.4.
    const rising = series(48, (i, n = 576) => (i >= n - 6 ? 0.4 : i >= n - 12 ? 0.3 : 0.1));
    expect(estimateCpu(rising, 1_000_000, model)!.cores).toBeCloseTo(
      estimateCpu(rising, 1_000_000, base)!.cores + 0.1,
      9,
    );
    const falling = series(48, (i, n = 576) => (i >= n - 6 ? 0.1 : i >= n - 12 ? 0.3 : 0.1));
    expect(estimateCpu(falling, 1_000_000, model)!.cores).toBeCloseTo(
      estimateCpu(falling, 1_000_000, base)!.cores,
      9,
    );
  });

  it('optional recent floors: the recent peak × a factor, and a Wilson-bounded exceedance level', () => {
    const spiky = series(48, (i, n = 576) => (i === n - 2 ? 1 : 0.1));
    const off = { ...rules.cpuModel, madFactor: 0, driftFactor: 0, levelSpread: 0 };
    expect(estimateCpu(spiky, 1_000_000, off)!.cores).toBeCloseTo(0.1, 9);
    expect(estimateCpu(spiky, 1_000_000, { ...off, recentPeakFactor: 0.9 })!.cores).toBeCloseTo(
      0.9,
      9,
    );
    // One of 6 recent samples above 0.1: its Wilson upper bound is far above 10%, so the
    // exceedance floor keeps the peak.
    expect(estimateCpu(spiky, 1_000_000, { ...off, exceedanceTarget: 0.1 })!.cores).toBeCloseTo(
      1,
      9,
    );
  });

  it('Wilson upper bound and exceedance level', () => {
    const z = 1.645;
    expect(wilsonUpper(0, 100, z)).toBeCloseTo((z * z) / (100 + z * z), 9);
    expect(wilsonUpper(10, 100, z)).toBeGreaterThan(0.1);
    const values = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    // Level k leaves 100 − k above; the lowest with a Wilson bound ≤ 10% is well above p90.
    const level = exceedanceLevel(values, 0.1, z);
    expect(level).toBeGreaterThan(90);
    expect(wilsonUpper(100 - level, 100, z)).toBeLessThanOrEqual(0.1);
    expect(wilsonUpper(100 - (level - 1), 100, z)).toBeGreaterThan(0.1);
    expect(exceedanceLevel([1, 2, 3], 0.1, z)).toBe(3); // too few samples to allow any
  });

  it('CPU does not chase rare spikes, whose cover would cost more cores than they are worth', () => {
    const spiky = series(48, (i) => (i % 100 === 0 ? 1.8 : 0.2));
    const est = estimateCpu(spiky, 1_000_000, rules.cpuModel)!;
    expect(est.cores).toBeLessThan(0.3);
  });

  it('recent samples count more: a recent rise lifts the request', () => {
    const rising = series(48, (i, n = 576) => (i > n - 48 ? 0.5 : 0.2));
    const est = estimateCpu(rising, 1_000_000, rules.cpuModel)!;
    expect(est.cores).toBeGreaterThanOrEqual(0.5); // the recent level itself (no margin by default)
  });

  it('memory margin grows with how abruptly memory moves, up to the cap', () => {
    const flat = estimateMemory([steadyMemory()], rules.memoryModel)!;
    const jumpy = estimateMemory(
      [series(48, (i) => (i % 50 < 25 ? 100 * MI : 200 * MI))],
      rules.memoryModel,
    )!;
    expect(flat.margin).toBeLessThan(0.08);
    expect(jumpy.margin).toBeCloseTo(DEFAULT_RIGHTSIZING_POLICY.memory.maxMargin, 6);
    expect(flat.bytes).toBeGreaterThan(flat.peak);
  });

  it('optional model terms: a volatility margin and a long memory only ever raise the estimate', () => {
    const noSpread = { ...rules.cpuModel, levelSpread: 0 };
    const volatile = series(48, (i) => 0.1 + (0.3 * ((i * 7) % 10)) / 10);
    const base = estimateCpu(volatile, 1_000_000, noSpread)!.cores;
    const withVolatility = estimateCpu(volatile, 1_000_000, {
      ...noSpread,
      volatilityFactor: 1,
    })!;
    expect(withVolatility.cores).toBeGreaterThan(base);
    const lull = series(48, (i) => (i > 192 ? 0.1 : 0.4)); // the last 32 h are quiet
    const short = estimateCpu(lull, 1_000_000, noSpread)!.cores;
    const long = estimateCpu(lull, 1_000_000, {
      ...noSpread,
      longHalfLifeSeconds: 86400,
    })!.cores;
    expect(long).toBeGreaterThan(short);
  });

  it('short-history margin fades to zero at full confidence', () => {
    expect(shortHistoryMargin(0, 86400, 0.05)).toBeCloseTo(0.05);
    expect(shortHistoryMargin(43200, 86400, 0.05)).toBeCloseTo(0.025);
    expect(shortHistoryMargin(7 * 86400, 86400, 0.05)).toBe(0);
  });
});

describe('recommendContainer', () => {
  it('proposes readable, rounded requests and a memory limit with evidence', () => {
    const rec = recommendContainer(history(steadyCpu(), steadyMemory()), {}, rules);
    expect(rec.skipped).toBeUndefined();
    expect(Math.round(rec.changed.cpuRequest! * 1000) % 5).toBe(0);
    expect(rec.changed.memoryLimit! % MI).toBe(0);
    expect(rec.changed.memoryRequest).toBe(rec.changed.memoryLimit);
    expect(rec.changed.cpuLimit).toBeUndefined(); // no CPU limits unless the policy asks
    expect(rec.evidence).toMatchObject({ window: '2d', samples: 576, confidence: 'high' });
    expect(rec.evidence.percentile).toBeGreaterThan(90);
    // The peak as measured, to a tenth, not rounded up: peak × (1 + margin) checks by hand.
    const odd = recommendContainer(
      history(
        steadyCpu(),
        series(48, () => 45.51 * MI),
      ),
      {},
      rules,
    );
    expect(odd.evidence.detail).toMatch(/memory: peak 45\.5Mi \+ /);
  });

  it('memory is never below the observed peak plus margin', () => {
    const rec = recommendContainer(
      history(steadyCpu(), steadyMemory()),
      { memoryLimit: 210 * MI, memoryRequest: 210 * MI },
      rules,
    );
    const peak = 202 * MI;
    expect(rec.proposed.memoryLimit!).toBeGreaterThanOrEqual(
      peak * (1 + DEFAULT_RIGHTSIZING_POLICY.memory.margin),
    );
  });

  it("an OOM kill raises memory above today's limit even when the peak seen is lower", () => {
    const current: Resources = { memoryRequest: 256 * MI, memoryLimit: 256 * MI };
    const calm = recommendContainer(history(steadyCpu(), steadyMemory()), current, rules);
    const oom = recommendContainer(
      history(steadyCpu(), steadyMemory(), { oomKills: 2 }),
      current,
      rules,
    );
    expect(calm.proposed.memoryLimit!).toBeLessThan(256 * MI);
    expect(oom.proposed.memoryLimit!).toBeGreaterThanOrEqual(256 * MI * 1.2);
    expect(oom.reasons.join()).toMatch(/2 OOM kill/);
  });

  it('restarts without OOM keep memory from being lowered', () => {
    const current: Resources = { memoryRequest: 300 * MI, memoryLimit: 300 * MI };
    const rec = recommendContainer(
      history(steadyCpu(), steadyMemory(), { restarts: 3 }),
      current,
      rules,
    );
    expect(rec.proposed.memoryLimit).toBe(300 * MI);
  });

  it('throttling raises CPU above what was seen, never lowers it', () => {
    const throttled = series(48, () => 0.4);
    const current: Resources = { cpuRequest: 0.25, cpuLimit: 0.25 };
    const plain = recommendContainer(history(steadyCpu(), steadyMemory()), current, rules);
    const rec = recommendContainer(
      history(steadyCpu(), steadyMemory(), { throttled: [throttled] }),
      current,
      rules,
    );
    expect(rec.proposed.cpuRequest!).toBeGreaterThan(plain.proposed.cpuRequest!);
    expect(rec.proposed.cpuRequest!).toBeGreaterThanOrEqual(0.25 * 1.4 - 1e-9);
    expect(rec.proposed.cpuLimit!).toBeGreaterThanOrEqual(rec.proposed.cpuRequest!);
    expect(rec.reasons.join()).toMatch(
      /in the worst tenth of its 5m steps, at least 40% of CFS periods were throttled/,
    );
  });

  it("OOM kills of pods that ran other resources hold memory but do not raise today's limit", () => {
    // Today's limit already went 256Mi → 308Mi after kills of pods that are gone now.
    const current: Resources = { memoryRequest: 308 * MI, memoryLimit: 308 * MI };
    const old = { oomKills: 2, sameSpec: { oomKills: 0, throttled: [] } };
    const rec = recommendContainer(history(steadyCpu(), steadyMemory(), old), current, rules);
    expect(rec.proposed.memoryLimit).toBe(308 * MI);
    expect(rec.changed.memoryLimit).toBeUndefined();
    expect(rec.reasons.join()).toMatch(/pods that ran other resources/);
    // A kill of a pod running today's limit raises it again.
    const now = { oomKills: 2, sameSpec: { oomKills: 1, throttled: [] } };
    const again = recommendContainer(history(steadyCpu(), steadyMemory(), now), current, rules);
    expect(again.proposed.memoryLimit!).toBeGreaterThanOrEqual(308 * MI * 1.2);
  });

  it("throttling of the pods running today's CPU limit raises that limit by the share", () => {
    const throttled = series(48, () => 0.4);
    const current: Resources = { cpuRequest: 0.25, cpuLimit: 0.5 };
    const today = { throttled: [throttled], sameSpec: { oomKills: 0, throttled: [throttled] } };
    const rec = recommendContainer(history(steadyCpu(), steadyMemory(), today), current, rules);
    expect(rec.proposed.cpuLimit).toBeCloseTo(0.7, 9); // 500m × 1.4
    expect(rec.proposed.cpuRequest!).toBeGreaterThanOrEqual(0.25 * 1.4 - 1e-9);
    expect(rec.reasons.join()).toMatch(/CPU limit raised by 40%/);
    // Throttled pods that are gone (they ran another limit) move neither today's limit nor
    // request by their share: the demand estimate is raised, the request never lowered.
    const gone = { throttled: [throttled], sameSpec: { oomKills: 0, throttled: [[]] } };
    const held = recommendContainer(history(steadyCpu(), steadyMemory(), gone), current, rules);
    expect(held.proposed.cpuLimit).toBe(0.5);
    expect(held.proposed.cpuRequest!).toBeGreaterThanOrEqual(0.25);
    // The raise follows the usage seen, not today's request: a re-plan after the merge of a
    // higher request proposes the same, instead of raising it again.
    const merged = { cpuRequest: 0.3, cpuLimit: 0.5 };
    const replan = recommendContainer(history(steadyCpu(), steadyMemory(), gone), merged, rules);
    expect(replan.proposed.cpuRequest).toBe(held.proposed.cpuRequest);
  });

  it('short history widens the margin', () => {
    const long = recommendContainer(history(steadyCpu(48), steadyMemory(48)), {}, rules);
    const short = recommendContainer(history(steadyCpu(13), steadyMemory(13)), {}, rules);
    expect(short.estimate.cpu!).toBeGreaterThan(long.estimate.cpu!);
    expect(short.estimate.memory!).toBeGreaterThan(long.estimate.memory!);
    expect(short.evidence.confidence).toBe('medium');
  });

  it('skips containers with less history than the policy asks', () => {
    const rec = recommendContainer(history(steadyCpu(6), steadyMemory(6)), {}, rules);
    expect(rec.skipped).toMatch(/6h of history, less than the 12h/);
    expect(rec.changed).toEqual({});
  });

  it('the step limit bounds each cut in one pull request', () => {
    const current: Resources = { cpuRequest: 2, memoryRequest: 1024 * MI, memoryLimit: 2048 * MI };
    const rec = recommendContainer(history(steadyCpu(), steadyMemory()), current, rules);
    expect(rec.proposed.cpuRequest).toBeCloseTo(1.4, 9);
    expect(rec.proposed.memoryRequest).toBe(717 * MI); // ceil(1024 × 0.7) MiB
    expect(rec.proposed.memoryLimit).toBe(1434 * MI);
    expect(rec.largestCut).toBeCloseTo(0.3, 2);
    expect(rec.reasons.join()).toMatch(/cut limited to 30%/);
  });

  describe("the soak: a cut waits until today's resources have run rightsizing.soak", () => {
    const NOW = 1_000_000;
    const HOUR = 3600;
    const current: Resources = { cpuRequest: 2, memoryRequest: 1024 * MI, memoryLimit: 2048 * MI };

    it("holds every cut while today's resources have run less than the soak, and says so", () => {
      const fresh = { resourcesSince: NOW - 3 * HOUR };
      const rec = recommendContainer(history(steadyCpu(), steadyMemory(), fresh), current, rules);
      expect(rec.changed).toEqual({});
      expect(rec.proposed).toEqual(current);
      expect(rec.largestCut).toBe(0);
      expect(rec.soak).toEqual({
        ranSeconds: 3 * HOUR,
        held: ['cpuRequest', 'memoryLimit', 'memoryRequest'],
      });
      expect(rec.reasons.join('; ')).toMatch(
        /CPU request, memory limit, memory request not lowered: today's resources have run 3h, less than the 24h soak \(rightsizing.soak\)/,
      );
      // No step-limit sentence for a cut that is not made.
      expect(rec.reasons.join('; ')).not.toMatch(/cut limited/);
    });

    it('cuts once they have run the soak, or when nobody can tell since when they run', () => {
      const soaked = { resourcesSince: NOW - 25 * HOUR };
      for (const extra of [soaked, {}]) {
        const rec = recommendContainer(history(steadyCpu(), steadyMemory(), extra), current, rules);
        expect(rec.proposed.cpuRequest).toBeCloseTo(1.4, 9);
        expect(rec.soak).toBeUndefined();
      }
      // soak: 0s turns the rule off.
      const off = withOverRequestPrice(
        resolveRightsizing({ ...DEFAULT_RIGHTSIZING_POLICY, soak: '0s' }),
        3,
      );
      const now = { resourcesSince: NOW };
      const rec = recommendContainer(history(steadyCpu(), steadyMemory(), now), current, off);
      expect(rec.proposed.cpuRequest).toBeCloseTo(1.4, 9);
    });

    it('never holds a raise: an OOM-killed container gets its memory, its CPU cut waits', () => {
      const killed = { oomKills: 1, resourcesSince: NOW - HOUR };
      const small: Resources = { cpuRequest: 2, memoryRequest: 150 * MI, memoryLimit: 150 * MI };
      const rec = recommendContainer(history(steadyCpu(), steadyMemory(), killed), small, rules);
      expect(rec.changed.memoryLimit!).toBeGreaterThanOrEqual(150 * MI * 1.2);
      expect(rec.changed.cpuRequest).toBeUndefined();
      expect(rec.soak?.held).toEqual(['cpuRequest']);
      expect(rec.fixes).toEqual(['OOM kills']);
    });

    it('holds a CPU limit the ratio would cut (cpuLimits: true) along with the request', () => {
      const withLimits = withOverRequestPrice(
        resolveRightsizing({ ...DEFAULT_RIGHTSIZING_POLICY, cpuLimits: true }),
        3,
      );
      const rec = recommendContainer(
        history(steadyCpu(), steadyMemory(), { resourcesSince: NOW - HOUR }),
        { cpuRequest: 2, cpuLimit: 8 },
        withLimits,
      );
      expect(rec.changed.cpuRequest).toBeUndefined();
      expect(rec.changed.cpuLimit).toBeUndefined();
      // No memory limit today: none is added during the soak either (a request is).
      expect(rec.soak?.held).toEqual(['cpuRequest', 'cpuLimit', 'memoryLimit']);
      expect(rec.changed.memoryRequest).toBeDefined();
    });
  });

  describe('holds: a limit where there is none today is a cut from unlimited', () => {
    const NOW = 1_000_000;
    const HOUR = 3600;
    const requestsOnly: Resources = { cpuRequest: 2, memoryRequest: 1024 * MI };

    it('under the soak, adds no limit, and a new limit does not lower the request either', () => {
      const fresh = { resourcesSince: NOW - 3 * HOUR };
      const withLimits = withOverRequestPrice(
        resolveRightsizing({ ...DEFAULT_RIGHTSIZING_POLICY, cpuLimits: true }),
        3,
      );
      for (const r of [rules, withLimits]) {
        const rec = recommendContainer(
          history(steadyCpu(), steadyMemory(), fresh),
          requestsOnly,
          r,
        );
        expect(rec.changed).toEqual({});
        expect(rec.proposed).toEqual(requestsOnly);
      }
      // Soaked, the same container gets its limit and its cut.
      const soaked = recommendContainer(
        history(steadyCpu(), steadyMemory(), { resourcesSince: NOW - 25 * HOUR }),
        requestsOnly,
        rules,
      );
      expect(soaked.changed.memoryLimit).toBeDefined();
      expect(soaked.changed.memoryRequest).toBeLessThan(1024 * MI);
    });

    it('beside a fix, holds every cut and every new limit, and says which fix', () => {
      const rec = recommendContainer(
        history(steadyCpu(), steadyMemory()),
        requestsOnly,
        rules,
        undefined,
        { holdCutsFor: ['OOM kills of container proxy'] },
      );
      expect(rec.changed).toEqual({});
      expect(rec.heldForFix).toEqual(['cpuRequest', 'memoryLimit', 'memoryRequest']);
      expect(rec.soak).toBeUndefined();
      expect(rec.reasons).toContain(
        'CPU request, memory request not lowered and memory limit not added in this pull request: it fixes OOM kills of container proxy, and a fix ships alone',
      );
    });
  });

  describe('fixes: the failures a recommendation remedies by raising resources', () => {
    it('OOM kills, restarts and throttling, each only when it raises its resource', () => {
      const memory: Resources = { memoryRequest: 256 * MI, memoryLimit: 256 * MI };
      const oom = recommendContainer(
        history(steadyCpu(), steadyMemory(), { oomKills: 2 }),
        memory,
        rules,
      );
      expect(oom.fixes).toEqual(['OOM kills']);
      // Kills of pods that ran other resources, today's limit above their peak: nothing raised.
      const old = { oomKills: 2, sameSpec: { oomKills: 0, throttled: [] } };
      const fixed = { memoryRequest: 308 * MI, memoryLimit: 308 * MI };
      expect(
        recommendContainer(history(steadyCpu(), steadyMemory(), old), fixed, rules).fixes,
      ).toBeUndefined();
      // Restarts raise a request below the limit up to it.
      const restarts = recommendContainer(
        history(steadyCpu(), steadyMemory(), { restarts: 3 }),
        { memoryRequest: 100 * MI, memoryLimit: 300 * MI },
        rules,
      );
      expect(restarts.changed.memoryRequest).toBe(300 * MI);
      expect(restarts.fixes).toEqual(['restarts']);
      const throttled = recommendContainer(
        history(steadyCpu(), steadyMemory(), { throttled: [series(48, () => 0.4)] }),
        { cpuRequest: 0.25, cpuLimit: 0.25 },
        rules,
      );
      expect(throttled.fixes).toEqual(['CPU throttling']);
      // No failure: a raise for usage alone is not a fix.
      const grown = recommendContainer(
        history(steadyCpu(), steadyMemory()),
        { cpuRequest: 0.1, memoryRequest: 100 * MI },
        rules,
      );
      expect(grown.changed.cpuRequest!).toBeGreaterThan(0.1);
      expect(grown.fixes).toBeUndefined();
    });
  });

  it('floors hold for idle containers', () => {
    const idle = series(48, () => 0.0001);
    const rec = recommendContainer(
      history(
        idle,
        series(48, () => MI),
      ),
      {},
      rules,
    );
    expect(rec.proposed.cpuRequest).toBeCloseTo(0.01, 9);
    expect(rec.proposed.memoryLimit).toBe(32 * MI);
  });

  it('a low-confidence source (metrics.k8s.io) never lowers, but may raise', () => {
    const point = [{ t: 1_000_000, v: 0.05 }];
    const mem = [{ t: 1_000_000, v: 100 * MI }];
    const lower = recommendContainer(
      history(point, mem, { confidence: 'low' }),
      { cpuRequest: 1, memoryRequest: 512 * MI, memoryLimit: 512 * MI },
      rules,
    );
    expect(lower.changed).toEqual({});
    const hot = [{ t: 1_000_000, v: 1.5 }];
    const raise = recommendContainer(
      history(hot, mem, { confidence: 'low' }),
      { cpuRequest: 1 },
      rules,
    );
    expect(raise.changed.cpuRequest!).toBeGreaterThan(1.5);
    expect(raise.evidence.confidence).toBe('low');
    // Memory had neither: a request may be added from the point, a limit (a cut from unlimited)
    // may not.
    expect(raise.changed.memoryRequest!).toBeGreaterThanOrEqual(100 * MI);
    expect(raise.changed.memoryLimit).toBeUndefined();
    expect(raise.reasons.join()).toMatch(/no memory limit added/);
  });

  it('changes below minChange are not proposed', () => {
    const first = recommendContainer(history(steadyCpu(), steadyMemory()), {}, rules);
    const again = recommendContainer(history(steadyCpu(), steadyMemory()), first.proposed, rules);
    expect(again.changed).toEqual({});
  });

  it('cpuLimits: true sets a CPU limit at limitRatio × the request', () => {
    const withLimits = withOverRequestPrice(
      resolveRightsizing({ ...DEFAULT_RIGHTSIZING_POLICY, cpuLimits: true }),
      3,
    );
    const rec = recommendContainer(history(steadyCpu(), steadyMemory()), {}, withLimits);
    expect(rec.changed.cpuLimit).toBeCloseTo(rec.changed.cpuRequest! * 2, 9);
  });

  describe('an HPA scaling on CPU', () => {
    const current: Resources = { cpuRequest: 0.5 };
    const hpa = { name: 'web', cpuUtilization: 60 };

    it('adjust-target: the target moves so the HPA scales at the same CPU per pod', () => {
      const rec = recommendContainer(history(steadyCpu(), steadyMemory()), current, rules, hpa);
      const request = rec.changed.cpuRequest!;
      expect(request).toBeLessThan(0.5);
      expect(rec.hpaCpuTarget).toEqual({ from: 60, to: Math.round((60 * 0.5) / request) });
      expect(rec.reasons.join()).toMatch(/target moves from 60% to/);
    });

    it('leave: CPU is left alone and the reason says so', () => {
      const leave = withOverRequestPrice(
        resolveRightsizing({ ...DEFAULT_RIGHTSIZING_POLICY, hpaCpu: 'leave' }),
        3,
      );
      const rec = recommendContainer(history(steadyCpu(), steadyMemory()), current, leave, hpa);
      expect(rec.changed.cpuRequest).toBeUndefined();
      expect(rec.hpaCpuTarget).toBeUndefined();
      expect(rec.reasons.join()).toMatch(/CPU left alone/);
    });

    it('a target that would leave 10..95% leaves CPU alone', () => {
      const rec = recommendContainer(
        history(steadyCpu(), steadyMemory()),
        { cpuRequest: 0.4 },
        rules,
        { name: 'web', cpuUtilization: 90 },
      );
      expect(rec.changed.cpuRequest).toBeUndefined();
      expect(rec.reasons.join()).toMatch(/outside 10..95%/);
    });
  });
});
