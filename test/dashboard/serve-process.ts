/**
 * `tars serve` as a user runs it: the built binary in a child process, on a free port (`--port
 * 0`), its address read from the URL it prints. Every server started here is killed when its test file ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { REPO_ROOT } from '../cli/run-tars.js';
import { waitFor } from '../support/wait.js';

const BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
export const EXAMPLE = join(REPO_ROOT, 'examples', 'online-boutique');

export interface Served {
  /** The dashboard's URL as printed, e.g. `http://127.0.0.1:41234/`. */
  readonly url: string;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout: string;
  stderr: string;
}

const running: ChildProcess[] = [];
afterAll(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL');
});

/** Starts `tars serve <args> --port 0` (on 127.0.0.1, its default) and waits for the URL it prints. */
export async function startServe(args: readonly string[]): Promise<Served> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` (npm test does)`);
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const output = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output.stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output.stderr += d));
  const url = await waitFor('the URL tars serve prints', () => {
    if (child.exitCode !== null) {
      throw new Error(`tars serve ended (${child.exitCode}) before serving:\n${output.stderr}`);
    }
    return Promise.resolve(/(http:\/\/\S+\/)/.exec(output.stdout)?.[1]);
  });
  return Object.assign(output, { url, child, exited });
}

/** A copy of the bundled example that a test may change. */
export function exampleCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tars-dashboard-'));
  cpSync(EXAMPLE, dir, { recursive: true });
  return dir;
}

/**
 * Markup in text the model carries from the cluster: an annotation value becomes the name of the
 * Argo CD application that manages a workload (Kubernetes names themselves cannot hold it).
 */
export const MARKUP =
  '<script>window.__tarsInjected=1</script><img src=x onerror="window.__tarsInjected=2">&amp;';

/** A copy of the example whose adservice Deployment names `MARKUP` as its Argo CD application. */
export function exampleWithMarkup(): string {
  return exampleWithArgoApplication(MARKUP);
}

/** A copy of the example whose adservice Deployment names `application` as its Argo CD application. */
export function exampleWithArgoApplication(application: string): string {
  const dir = exampleCopy();
  const file = join(dir, 'deployments.yaml');
  const tracking = 'argocd.argoproj.io/tracking-id: boutique:apps/Deployment:boutique/adservice';
  const text = readFileSync(file, 'utf8');
  if (!text.includes(tracking)) throw new Error(`the example no longer has ${tracking}`);
  writeFileSync(
    file,
    text.replace(
      tracking,
      `argocd.argoproj.io/tracking-id: '${application}:apps/Deployment:boutique/adservice'`,
    ),
  );
  return dir;
}
