/**
 * The built `tars` binary, run without blocking this process: tests whose Prometheus proxy or
 * API-server proxy lives in the test process need its event loop free while `tars` runs
 * (`spawnSync`, as in test/cli/run-tars.ts, would leave every proxied request unanswered).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, type TarsRun } from '../cli/run-tars.js';
import { testKubeconfigs } from '../support/cluster.js';

const BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

export function tarsAsync(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 120_000,
): Promise<TarsRun> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` (npm test does)`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/**
 * The arguments of `tars snapshot` as the tests run it: the live test cluster read with the
 * shipped read-only identity, its usage history from `prometheus` (with `promFlags`, e.g.
 * credentials), written to `out`, quietly.
 */
export function snapshotArgs(
  out: string,
  prometheus: string,
  history: string,
  promFlags: readonly string[] = [],
): string[] {
  return [
    'snapshot',
    '--out',
    out,
    '--kubeconfig',
    testKubeconfigs().readonly,
    '--prometheus',
    prometheus,
    ...promFlags,
    '--history',
    history,
    '--quiet',
  ];
}
