/**
 * When and how long to wait before asking the API server again. Pure, so the schedule can be
 * tested without a server; the HTTP layer feeds it what it saw.
 */

export interface RetryPolicy {
  /** Total attempts including the first one. */
  readonly maxAttempts: number;
  /** Upper bound of the first wait; doubles each attempt. */
  readonly baseDelayMs: number;
  /** No single wait exceeds this, whatever the server's Retry-After says. */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 30_000,
};

/**
 * "Full jitter" exponential backoff: a uniform wait in [0, base·2^attempt], capped. Jitter keeps
 * parallel lists from retrying in lockstep against an API server that is already shedding load.
 * `attempt` counts from 0 for the wait after the first failure.
 */
export function backoffDelayMs(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(random() * ceiling);
}

/**
 * Parses a Retry-After header (delta-seconds or an HTTP date) into milliseconds from `now`.
 * Returns undefined when absent or unparsable, so the caller falls back to backoff.
 */
export function retryAfterMs(
  header: string | undefined,
  now: number = Date.now(),
): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** 429 (API Priority and Fairness shedding load) and every 5xx are worth another try. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/** The wait before the next attempt: the server's Retry-After when it gave one, else backoff. */
export function nextDelayMs(
  attempt: number,
  policy: RetryPolicy,
  retryAfter: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfter !== undefined) return Math.min(policy.maxDelayMs, retryAfter);
  return backoffDelayMs(attempt, policy, random);
}
