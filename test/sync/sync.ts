/**
 * Syncs manifests into a cluster with a real GitOps sync engine: Argo CD's gitops-engine
 * (test/sync/main.go), built once per source hash like the test cluster and run as a subprocess.
 *
 * Health: the engine judges health with its built-in checks, exactly as Argo CD does, and a wave
 * waits for the health of the one before. The test cluster runs no controller-manager, so a
 * Deployment there never reports a finished rollout by itself; tests that sync workloads run the
 * stand-in in rollout-stand-in.ts, which writes the status a controller would.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { Ajv } from 'ajv';

export interface SyncOptions {
  readonly kubeconfig: string;
  /** Multi-document YAML (e.g. `kubectl kustomize generated/<cluster>`); or give `file`. */
  readonly manifestsYaml?: string;
  readonly file?: string;
  /** Delete resources this app synced before and the manifests no longer list. */
  readonly prune?: boolean;
  /**
   * Deletion propagation of pruned resources. Argo CD's default is foreground, which leaves the
   * object with a `foregroundDeletion` finalizer for the garbage collector to finish; the test
   * cluster has none (no controller-manager), so tests that prune there pass 'background'.
   */
  readonly prunePropagation?: 'foreground' | 'background' | 'orphan';
  /**
   * Application name for Argo CD's annotation tracking (`argocd.argoproj.io/tracking-id`). Give
   * every tree its own: pruning deletes whatever this name tracked and the manifests no longer list.
   */
  readonly app?: string;
  /** Namespace for namespaced objects that name none (the Application's destination). */
  readonly namespace?: string;
  /** The sync gives up after this long with phase `Timeout` (default 120). */
  readonly timeoutSeconds?: number;
}

export type SyncAction =
  'created' | 'configured' | 'unchanged' | 'missing' | 'failed' | 'pruned' | 'pruneskipped';

export interface SyncedResource {
  readonly group: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly wave: number;
  /** The engine's result code: Synced, SyncFailed, Pruned, PruneSkipped ('' when never reached). */
  readonly status: string;
  readonly message: string;
  /** The engine's operation state: Succeeded, Running (waiting for health), Failed, Error. */
  readonly operationState: string;
  /**
   * Health of the live object after the sync by the engine's checks (as Argo CD shows it):
   * Healthy, Progressing, Degraded, Suspended, Missing; '' for kinds without a health check.
   */
  readonly health: string;
  readonly healthMessage?: string;
  readonly action: SyncAction;
  readonly serverSideApply: boolean;
  readonly resourceVersionBefore?: string;
  readonly resourceVersionAfter?: string;
}

/** One real write of the engine, in the order the engine made them. */
export interface AppliedWrite {
  readonly seq: number;
  readonly time: string;
  readonly verb: string;
  readonly group: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly wave: number;
  readonly message?: string;
}

export interface WaveEvent {
  readonly phase: string;
  readonly wave: number;
  readonly final: boolean;
  readonly time: string;
}

export interface SyncResult {
  /** `github.com/argoproj/argo-cd/gitops-engine@<version>` as linked into the binary. */
  readonly engine: string;
  /** Succeeded, Failed, Timeout or Error. */
  readonly phase: string;
  readonly message: string;
  readonly error?: string;
  readonly resources: SyncedResource[];
  readonly applied: AppliedWrite[];
  readonly waves: WaveEvent[];
  readonly startedAt: string;
  readonly durationSeconds: number;
}

const RESULT_SCHEMA = {
  type: 'object',
  required: ['engine', 'phase', 'message', 'resources', 'applied', 'waves'],
  properties: {
    engine: { type: 'string' },
    phase: { enum: ['Succeeded', 'Failed', 'Timeout', 'Error'] },
    message: { type: 'string' },
    error: { type: 'string' },
    resources: {
      type: 'array',
      items: {
        type: 'object',
        required: ['group', 'kind', 'name', 'wave', 'status', 'message', 'health', 'action'],
        properties: {
          kind: { type: 'string', minLength: 1 },
          name: { type: 'string', minLength: 1 },
          wave: { type: 'integer' },
          action: {
            enum: [
              'created',
              'configured',
              'unchanged',
              'missing',
              'failed',
              'pruned',
              'pruneskipped',
            ],
          },
        },
      },
    },
    applied: {
      type: 'array',
      items: { type: 'object', required: ['seq', 'verb', 'kind', 'name', 'wave'] },
    },
    waves: { type: 'array', items: { type: 'object', required: ['phase', 'wave', 'final'] } },
  },
} as const;

const validateResult = new Ajv({ allErrors: true }).compile<SyncResult>(RESULT_SCHEMA);

/** Runs one sync. Resolves with the engine's result also when the sync failed or timed out. */
export async function syncManifests(options: SyncOptions): Promise<SyncResult> {
  if ((options.manifestsYaml === undefined) === (options.file === undefined)) {
    throw new Error('syncManifests: give exactly one of manifestsYaml and file');
  }
  const binary = await ensureSyncBinary();
  const timeout = options.timeoutSeconds ?? 120;
  const args = [
    '--kubeconfig',
    options.kubeconfig,
    '--manifests',
    options.file ?? '-',
    '--timeout',
    `${timeout}s`,
  ];
  if (options.prune) args.push('--prune');
  if (options.prunePropagation) args.push('--prune-propagation', options.prunePropagation);
  if (options.app !== undefined) args.push('--app', options.app);
  if (options.namespace !== undefined) args.push('--namespace', options.namespace);
  const run = await runProcess(binary, args, options.manifestsYaml);
  if (run.code === 2) throw new Error(`tars-sync rejected its input: ${run.stderr.trim()}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(run.stdout);
  } catch {
    throw new Error(`tars-sync exited ${run.code} without a JSON result:\n${tail(run.stderr)}`);
  }
  if (!validateResult(parsed)) {
    throw new Error(
      `tars-sync printed an unexpected result: ${JSON.stringify(validateResult.errors)}`,
    );
  }
  return parsed;
}

/** The Go module's folder, found from this file whether it runs from test/ or dist/test/. */
export function syncModuleDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'test', 'sync', 'go.mod');
    if (existsSync(candidate)) return dirname(candidate);
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find test/sync/go.mod above ' + import.meta.url);
    dir = parent;
  }
}

/** `${XDG_CACHE_HOME:-~/.cache}/tars/tars-sync-<hash of go.mod, go.sum and *.go>`. */
export function syncBinaryPath(): string {
  const src = syncModuleDir();
  const goFiles = readdirSync(src)
    .filter((f) => f.endsWith('.go'))
    .sort();
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', ...goFiles]) {
    hash.update(file);
    hash.update(readFileSync(join(src, file)));
  }
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'tars', `tars-sync-${hash.digest('hex').slice(0, 16)}`);
}

/**
 * Builds the binary unless this exact source was built before (minutes on two cores: Argo CD's
 * engine links kubectl and parts of Kubernetes). Concurrent callers wait for one build.
 */
export async function ensureSyncBinary(log = stderrLog): Promise<string> {
  const binary = syncBinaryPath();
  if (existsSync(binary)) return binary;
  await mkdir(dirname(binary), { recursive: true });
  const release = await acquireBuildLock(`${binary}.lock`);
  try {
    if (existsSync(binary)) return binary;
    const tmp = `${binary}.tmp-${process.pid}`;
    log(`building ${binary} (first run: several minutes)`);
    const started = Date.now();
    const result = await runProcess(
      findGo(),
      ['build', '-trimpath', '-o', tmp, '.'],
      undefined,
      syncModuleDir(),
    );
    if (result.code !== 0) {
      await rm(tmp, { force: true });
      throw new Error(`go build of tars-sync failed (exit ${result.code}):\n${result.stderr}`);
    }
    await rename(tmp, binary);
    log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return binary;
  } finally {
    await release();
  }
}

function stderrLog(message: string): void {
  process.stderr.write(`tars-sync: ${message}\n`);
}

function findGo(): string {
  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0) return 'go';
  if (existsSync('/usr/local/go/bin/go')) return '/usr/local/go/bin/go';
  throw new Error('Go is not installed: tars-sync is built from source with `go build`');
}

interface ProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runProcess(
  cmd: string,
  args: string[],
  stdin?: string,
  cwd?: string,
): Promise<ProcessResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

function tail(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** mkdir is atomic; a lock whose owner died is taken over. Builds may take many minutes. */
async function acquireBuildLock(lockDir: string): Promise<() => Promise<void>> {
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(join(lockDir, 'owner'), String(process.pid));
      return () => rm(lockDir, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = Number((await readFile(join(lockDir, 'owner'), 'utf8').catch(() => '')).trim());
    if (owner > 0 && !isAlive(owner)) {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${lockDir}`);
    await sleep(1000);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
