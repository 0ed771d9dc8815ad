import { describe, expect, it } from 'vitest';
import type { ProposalContent, ProposalHold } from '../gitops/delivery.js';
import { apiHpa, apiPatch, costModel, dbPatch } from '../gitops/fixtures/cost-model.js';
import { DEFAULT_POLICY } from '../policy/defaults.js';
import type { Policy } from '../policy/types.js';
import { concernRenderer, monthlySavings } from './propose.js';

const policy: Policy = {
  ...DEFAULT_POLICY,
  rollout: { ...DEFAULT_POLICY.rollout, phase: 3, waveSize: 10 },
};

function proposal(rendered: ProposalContent | ProposalHold | undefined): ProposalContent {
  if (rendered === undefined || 'hold' in rendered)
    throw new Error(`expected a proposal, got ${JSON.stringify(rendered)}`);
  return rendered;
}

describe('monthlySavings', () => {
  it("gives a workload's saving to its own change only, not to the HPA change made for it", () => {
    const savings = monthlySavings(costModel());
    // Deployment/shop/api: 49.64 − 11.68 = 37.96; StatefulSet/shop/api: 13.87 − 9.49 = 4.38.
    expect([...savings.keys()].sort()).toEqual([apiPatch.id, dbPatch.id].sort());
    expect(savings.get(apiPatch.id)).toBeCloseTo(37.96, 10);
    expect(savings.get(dbPatch.id)).toBeCloseTo(4.38, 10);
    expect(savings.has(apiHpa.id)).toBe(false);
  });

  it('falls back to the HPA change when the workload has no change of its own', () => {
    // Only the HPA change is left: the saving is still shown once, on it.
    const model = { ...costModel(), changes: [apiHpa] };
    const savings = monthlySavings(model);
    expect([...savings.keys()]).toEqual([apiHpa.id]);
    expect(savings.get(apiHpa.id)).toBeCloseTo(37.96, 10);
  });

  it('the pull request totals each workload once', async () => {
    const rendered = proposal(
      await concernRenderer(costModel(), 'rightsizing', policy)(() => Promise.resolve(undefined)),
    );
    // 37.96 + 4.38 = 42.34 (the HPA change adds nothing).
    expect(rendered.body.split('\n')[0]).toMatch(
      /, saving an estimated \*\*42\.34 USD per month\*\* \(the price of requested capacity, not a bill\)\.$/,
    );
  });
});
