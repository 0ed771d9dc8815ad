/**
 * Go programs the tests run (the test cluster, the GitOps sync engine) are built from their
 * modules under test/ once per source hash and cached in `${XDG_CACHE_HOME:-~/.cache}/tars`, so
 * every test run after the first starts them at once and a source change is never run stale.
 */
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { acquireDirLock } from './dir-lock.js';

export type Log = (message: string) => void;

export interface GoBinary {
  /** The folder holding go.mod (see goModuleDir). */
  readonly moduleDir: string;
  /** First part of the cached file's name; also how log lines and errors name the program. */
  readonly binaryName: string;
  readonly log?: Log;
}

/** A build on two cores may take many minutes (Kubernetes modules); waiters give up after this. */
const BUILD_LOCK_TIMEOUT_MS = 30 * 60_000;
const OUTPUT_TAIL_LINES = 30;

const execFileAsync = promisify(execFile);

/** The folder of `test/<name>/go.mod`, found from this file in test/ or in dist/test/. */
export function goModuleDir(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'test', name, 'go.mod');
    if (existsSync(candidate)) return dirname(candidate);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find test/${name}/go.mod above ${import.meta.url}`);
    dir = parent;
  }
}

/**
 * `${XDG_CACHE_HOME:-~/.cache}/tars/<binaryName>-<hash>`: the hash covers go.mod, go.sum and every
 * *.go file of the module, names included, so adding or renaming a file also means a new binary.
 */
export function goBinaryPath(moduleDir: string, binaryName: string): string {
  const goFiles = readdirSync(moduleDir)
    .filter((file) => file.endsWith('.go'))
    .sort();
  // A module without dependencies has no go.sum.
  const sources = ['go.mod', 'go.sum', ...goFiles].filter((file) =>
    existsSync(join(moduleDir, file)),
  );
  const hash = createHash('sha256');
  for (const file of sources) {
    hash.update(file);
    hash.update(readFileSync(join(moduleDir, file)));
  }
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'tars', `${binaryName}-${hash.digest('hex').slice(0, 16)}`);
}

/**
 * Returns the binary for the module's current source, building it first when this exact source
 * was never built. Concurrent callers (several test files, several test runs) wait for one build.
 */
export async function ensureGoBinary({ moduleDir, binaryName, log }: GoBinary): Promise<string> {
  const binary = goBinaryPath(moduleDir, binaryName);
  if (existsSync(binary)) return binary;
  await mkdir(dirname(binary), { recursive: true });
  const release = await acquireDirLock(`${binary}.lock`, BUILD_LOCK_TIMEOUT_MS);
  try {
    // Whoever held the lock before may just have built it.
    if (existsSync(binary)) return binary;
    await build(moduleDir, binary, binaryName, log ?? prefixedStderr(binaryName));
    return binary;
  } finally {
    await release();
  }
}

async function build(moduleDir: string, binary: string, binaryName: string, log: Log) {
  const go = findGo(binaryName);
  // Built beside its final name and renamed: nobody ever sees a half-written binary.
  const tmp = `${binary}.tmp-${process.pid}`;
  log(`building ${binary} from ${moduleDir} (without a warm Go build cache: minutes)`);
  const started = Date.now();
  try {
    await execFileAsync(go, ['build', '-trimpath', '-o', tmp, '.'], {
      cwd: moduleDir,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e) {
    await rm(tmp, { force: true });
    const failure = e as { code?: number | string; stdout?: string; stderr?: string };
    const output = `${failure.stdout ?? ''}${failure.stderr ?? ''}`;
    throw new Error(
      `go build of ${binaryName} in ${moduleDir} failed (exit ${String(failure.code)}):\n` +
        tail(output || String(e)),
    );
  }
  await rename(tmp, binary);
  log(`built ${binaryName} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function findGo(binaryName: string): string {
  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0) return 'go';
  if (existsSync('/usr/local/go/bin/go')) return '/usr/local/go/bin/go';
  throw new Error(
    `Go is not installed: ${binaryName} is built from source with \`go build\` ` +
      '(Debian: apt-get install golang-go; or https://go.dev/dl to /usr/local/go)',
  );
}

function prefixedStderr(prefix: string): Log {
  return (message) => void process.stderr.write(`${prefix}: ${message}\n`);
}

function tail(text: string): string {
  return text.trimEnd().split('\n').slice(-OUTPUT_TAIL_LINES).join('\n');
}
