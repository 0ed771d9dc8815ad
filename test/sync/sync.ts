/**
 * Syncs manifests into a cluster with a real GitOps sync engine: Argo CD's gitops-engine
 * (test/sync/main.go), built once per source hash like the test cluster and run as a subprocess.
 *
 * Health: the engine judges health with its built-in checks, exactly as Argo CD does, and a wave
 * waits for the health of the one before. The test cluster runs no controller-manager, so a
 * Deployment there never reports a finished rollout by itself; tests that sync workloads run the
 * stand-in in rollout-stand-in.ts, which writes the status a controller would.
 */
import { spawn } from 'node:child_process';

import { Ajv } from 'ajv';

import { ensureGoBinary, goModuleDir } from '../support/go-binary.js';

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

/**
 * Builds the binary unless this exact source was built before (minutes on two cores: Argo CD's
 * engine links kubectl and parts of Kubernetes). Concurrent callers wait for one build.
 */
export function ensureSyncBinary(log = stderrLog): Promise<string> {
  return ensureGoBinary({ moduleDir: goModuleDir('sync'), binaryName: 'tars-sync', log });
}

function stderrLog(message: string): void {
  process.stderr.write(`tars-sync: ${message}\n`);
}

interface ProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runProcess(cmd: string, args: string[], stdin?: string): Promise<ProcessResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
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
