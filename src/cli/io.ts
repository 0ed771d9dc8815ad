/** Where the CLI writes: data to stdout, progress and errors to stderr. Injected for tests. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export type Progress = (message: string) => void;

/** Progress lines on stderr, silenced by --quiet, so stdout stays parseable. */
export function progressFor(io: CliIo, quiet: boolean | undefined): Progress {
  if (quiet === true) return () => undefined;
  const started = Date.now();
  return (message) => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
    io.stderr(`[${seconds}s] ${message}\n`);
  };
}
