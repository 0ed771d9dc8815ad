import { describe, expect, it } from 'vitest';
import type { Change, WorkloadModel } from '../model/types.js';
import { assessRisk } from './risk.js';
import { autoMergeEligible, planWave } from './waves.js';

const target = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  namespace: 'shop',
  name,
});
const change = (name: string, extra: Partial<Change> = {}): Change => ({
  id: `rightsizing:${name}`,
  concern: 'rightsizing',
  action: 'patch',
  target: target(name),
  manifest: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'shop' } },
  summary: 'x',
  ...extra,
});
const workload = (replicas: number): WorkloadModel => ({
  ref: { ...target('web'), kind: 'Deployment', namespace: 'shop' },
  managedBy: { tool: 'none' },
  replicas,
  pods: [],
  containers: [],
});

describe('assessRisk', () => {
  it('adds up size, confidence and criticality, with a reason for each', () => {
    const risky = assessRisk(
      change('web', {
        magnitude: 0.3,
        evidence: { window: '2d', samples: 500, confidence: 'low' },
      }),
      { workload: workload(1), hasPdb: false, dependents: 2 },
    );
    // 0.24 (30% × 0.8) + 0.3 (low confidence) + 0.15 (one replica) + 0.1 (no PDB) + 0.1 (2 dependents)
    expect(risky.score).toBe(0.89);
    expect(risky.reasons).toHaveLength(5);
    const safe = assessRisk(
      change('web', {
        magnitude: 0.05,
        evidence: { window: '14d', samples: 4000, confidence: 'high' },
      }),
      { workload: workload(3), hasPdb: true, dependents: 0 },
    );
    expect(safe.score).toBe(0.04);
    expect(safe.reasons).toEqual(['changes resources by 5%']);
  });

  it('rates adoption as nearly riskless', () => {
    expect(
      assessRisk(change('web', { action: 'adopt' }), { hasPdb: false, dependents: 0 }).score,
    ).toBe(0.05);
  });
});

describe('planWave', () => {
  const pending = ['a', 'b', 'c', 'd', 'e'].map((n, i) =>
    change(n, { risk: { score: [0.5, 0.1, 0.3, 0.1, 0.9][i], reasons: [] } }),
  );

  it('takes the lowest-risk workloads first, at most waveSize', () => {
    const plan = planWave(pending, { waveSize: 2, alreadyApplied: 0 });
    expect(plan.changes.map((c) => c.target.name)).toEqual(['b', 'd']);
    expect(plan).toMatchObject({ wave: 1, remaining: 3 });
  });

  it('takes fixes of observed failures first, whatever their risk, then the lowest risk', () => {
    // e: an OOM-killed workload whose change also cuts CPU, so it scores the highest; c: throttled.
    const withFixes = pending.map((c) =>
      c.target.name === 'e' || c.target.name === 'c'
        ? { ...c, fixes: [`OOM kills of container ${c.target.name}`] }
        : c,
    );
    const plan = planWave(withFixes, { waveSize: 3, alreadyApplied: 0 });
    expect(plan.changes.map((c) => c.target.name)).toEqual(['c', 'e', 'b']);
    // More fixes than a wave holds: the wave is all fixes, the rest wait for the next.
    expect(planWave(withFixes, { waveSize: 1, alreadyApplied: 0 }).changes).toHaveLength(1);
    expect(planWave(withFixes, { waveSize: 1, alreadyApplied: 0 }).changes[0].target.name).toBe(
      'c',
    );
  });

  it('a workload with a fix goes first with all its changes', () => {
    // a's right-sizing raises memory for OOM kills; its HPA's new target is the riskier change.
    const fixOfA = { ...pending[0], fixes: ['OOM kills of container a'] };
    const hpaOfA = change('hpa-a', {
      id: 'rightsizing:hpa-a',
      workload: target('a'),
      risk: { score: 0.95, reasons: [] },
    });
    const plan = planWave([fixOfA, ...pending.slice(1), hpaOfA], {
      waveSize: 2,
      alreadyApplied: 0,
    });
    expect(plan.changes.map((c) => c.id)).toEqual([
      'rightsizing:a',
      'rightsizing:hpa-a',
      'rightsizing:b',
    ]);
  });

  it('keeps all changes of one workload in the same wave', () => {
    const two = [
      ...pending,
      change('b', { id: 'scaling:b', concern: 'scaling', risk: { score: 0.05, reasons: [] } }),
    ];
    const plan = planWave(two, { waveSize: 1, alreadyApplied: 0 });
    expect(plan.changes.map((c) => c.id)).toEqual(['rightsizing:b', 'scaling:b']);
  });

  it('numbers waves by what base already holds', () => {
    expect(planWave(pending.slice(2), { waveSize: 2, alreadyApplied: 2 }).wave).toBe(2);
    // A recorded wave number wins over the count, which a changed waveSize would skew.
    expect(
      planWave(pending.slice(2), { waveSize: 1, alreadyApplied: 2, lastMergedWave: 1 }).wave,
    ).toBe(2);
  });

  it('without recorded waves, counts a partly filled merged wave as a wave', () => {
    // 8 workloads merged in waves of 3 (3, 3, 2): the next is wave 4.
    expect(planWave(pending, { waveSize: 3, alreadyApplied: 8 }).wave).toBe(4);
    // waveSize raised past what is merged: still not wave 1 again.
    expect(planWave(pending, { waveSize: 100, alreadyApplied: 8 }).wave).toBe(2);
  });
});

describe('autoMergeEligible', () => {
  it('needs every change under the threshold', () => {
    const low = change('a', { risk: { score: 0.1, reasons: [] } });
    const high = change('b', { risk: { score: 0.4, reasons: [] } });
    expect(autoMergeEligible([low], 0.2)).toBe(true);
    expect(autoMergeEligible([low, high], 0.2)).toBe(false);
    expect(autoMergeEligible([change('c')], 0.2)).toBe(false);
    expect(autoMergeEligible([], 0.2)).toBe(false);
  });
});
