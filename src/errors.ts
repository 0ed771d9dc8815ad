/**
 * The few error classes TARS raises on purpose. The CLI's one top-level handler
 * (src/cli/handler.ts) maps them to exit codes and prints their message without a
 * stack trace; anything else is a bug and exits 1 with its stack.
 */

/** Bad input from the user: usage, policy, snapshot, model. Exit code 2. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Something that was looked up does not exist. Exit code 2. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The world is not in the state we need (a branch someone else owns, a push race). Exit code 1. */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A cluster, Prometheus or git remote could not be reached or refused us. Exit code 3. */
export class SourceUnreachableError extends Error {
  override readonly name = 'SourceUnreachableError';
  constructor(
    /** Which source, e.g. `cluster https://127.0.0.1:6443` or `Prometheus http://…`. */
    readonly source: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${source} is unreachable: ${reason}`, options);
  }
}

/** Wraps an unexpected error with context while keeping the original as `cause`. */
export class ForwardedError extends Error {
  override readonly name = 'ForwardedError';
  constructor(message: string, cause: unknown) {
    super(`${message}: ${errorMessage(cause)}`, { cause });
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Exit codes of the command-line contract. */
export const ExitCode = { ok: 0, failure: 1, badInput: 2, unreachable: 3 } as const;

export function exitCodeFor(e: unknown): number {
  if (e instanceof InputError || e instanceof NotFoundError) return ExitCode.badInput;
  if (e instanceof SourceUnreachableError) return ExitCode.unreachable;
  if (e instanceof ForwardedError && e.cause !== undefined) return exitCodeFor(e.cause);
  return ExitCode.failure;
}

/** True for errors whose message is the whole story (no stack trace needed). */
export function isExpectedError(e: unknown): boolean {
  return (
    e instanceof InputError ||
    e instanceof NotFoundError ||
    e instanceof ConflictError ||
    e instanceof SourceUnreachableError ||
    (e instanceof ForwardedError && isExpectedError(e.cause))
  );
}
