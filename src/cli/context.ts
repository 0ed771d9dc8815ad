/** What every command receives: where to print, and a way to exit non-zero after finishing. */
import type { SourceUnreachableError } from '../errors.js';
import type { CliIo } from './io.js';

export interface CommandContext {
  readonly io: CliIo;
  /** Set by a command that finished its work but must still exit non-zero (e.g. 3). */
  deferredError?: SourceUnreachableError;
}
