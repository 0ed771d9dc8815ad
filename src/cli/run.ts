/** Runs the program once and maps every error to an exit code; tests call this directly. */
import type { CommandContext } from './context.js';
import { handleError } from './handler.js';
import { processIo, type CliIo } from './io.js';
import { buildProgram } from './program.js';

export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const context: CommandContext = { io };
  try {
    await buildProgram(context).parseAsync([...argv], { from: 'user' });
  } catch (error) {
    return handleError(error, io);
  }
  return context.deferredError ? handleError(context.deferredError, io) : 0;
}
