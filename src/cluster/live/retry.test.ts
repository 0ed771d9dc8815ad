import { describe, expect, it } from 'vitest';

import { backoffDelayMs, isRetryableStatus, nextDelayMs, retryAfterMs } from './retry.js';

const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };

describe('backoff', () => {
  it('doubles the ceiling each attempt and never exceeds the cap', () => {
    const top = (): number => 1;
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, policy, top))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('jitters uniformly below the ceiling', () => {
    expect(backoffDelayMs(2, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(2, policy, () => 0.5)).toBe(200);
  });
});

describe('Retry-After', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(retryAfterMs('3')).toBe(3000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Thu, 01 Jan 2025 00:00:05 GMT', now)).toBe(0);
  });

  it('ignores what it cannot parse', () => {
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs('')).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });

  it('wins over backoff but is capped', () => {
    expect(nextDelayMs(0, policy, 700, () => 1)).toBe(700);
    expect(nextDelayMs(0, policy, 60_000, () => 1)).toBe(1000);
    expect(nextDelayMs(1, policy, undefined, () => 1)).toBe(200);
  });
});

describe('retryable statuses', () => {
  it('retries 429 and 5xx, not other client errors', () => {
    expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409, 410].some(isRetryableStatus)).toBe(false);
  });
});
