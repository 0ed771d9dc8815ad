/**
 * The one top-level error handler: maps the project's error classes to the exit codes of the
 * command-line contract (0 ok, 2 bad input, 3 source unreachable, 1 anything else) and prints
 * expected errors as one clear line, never a stack trace.
 */
import { CommanderError } from 'commander';
import { ExitCode, exitCodeFor, isExpectedError } from '../errors.js';
import type { CliIo } from './io.js';

export function handleError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Commander already printed usage errors; help and version are not failures.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version')
      return ExitCode.ok;
    if (error.exitCode === 0) return ExitCode.ok;
    return ExitCode.badInput;
  }
  if (isExpectedError(error)) {
    io.stderr(`tars: ${(error as Error).message}\n`);
    return exitCodeFor(error);
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr(`tars: unexpected error (a bug; please report it):\n${detail}\n`);
  return ExitCode.failure;
}
