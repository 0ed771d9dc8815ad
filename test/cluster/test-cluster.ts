/**
 * The real test cluster: one Go binary (test/cluster/main.go) running embedded etcd and a
 * kube-apiserver from the Kubernetes modules, with RBAC and PodSecurity on. No controller-manager
 * and no kubelet: objects are stored and authorized for real, but nothing reconciles them.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';

import { TARS_CLUSTER_ROLE_NAME, tarsClusterRole } from '../../src/bootstrap/rbac.js';
import { acquireDirLock, isAlive } from '../support/dir-lock.js';
import { ensureGoBinary, goModuleDir } from '../support/go-binary.js';
import { writeTokenKubeconfig } from './kubeconfig.js';

export const CLUSTER_NAME = 'tars-test';
const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 30_000;

export interface TestCluster {
  readonly dir: string;
  readonly server: string;
  readonly adminKubeconfig: string;
  readonly tarsKubeconfig: string;
  readonly pid: number;
  /** False when `start` found the cluster already running and left it as it was. */
  readonly startedNow: boolean;
}

type Log = (message: string) => void;
const stderrLog: Log = (message) => process.stderr.write(`test-cluster: ${message}\n`);

/** Builds the cluster's binary unless this exact source was built before. Returns its path. */
export function ensureBinary(log: Log = stderrLog): Promise<string> {
  // The name matters: isOurProcess recognises the running cluster by it.
  return ensureGoBinary({ moduleDir: goModuleDir('cluster'), binaryName: 'testcluster', log });
}

/**
 * Starts the cluster in `dir` and returns once /readyz answers and the tars RBAC is applied.
 * A cluster already running there is left alone. Each fresh start begins with empty etcd data
 * (the PKI and tokens are kept, so existing kubeconfigs stay valid).
 */
export async function startTestCluster(dir: string, log: Log = stderrLog): Promise<TestCluster> {
  const root = resolve(dir);
  return withLock(root, () => startUnlocked(root, log));
}

/** Stops the cluster in `dir`: SIGTERM, then SIGKILL after a grace period. Idempotent. */
export async function stopTestCluster(dir: string, log: Log = stderrLog): Promise<void> {
  const root = resolve(dir);
  await withLock(root, () => stopUnlocked(root, log));
}

/**
 * For test runs that share one tree (several `vitest` at once): start or join the cluster and
 * register this process as a user. Pair with releaseTestCluster.
 */
export async function acquireTestCluster(dir: string, log: Log = stderrLog): Promise<TestCluster> {
  const root = resolve(dir);
  return withLock(root, async () => {
    const cluster = await startUnlocked(root, log);
    // Only a cluster some test run started is stopped by test runs; one started by hand stays.
    if (cluster.startedNow) await writeFile(join(root, 'started-by-tests'), '');
    await mkdir(join(root, 'users'), { recursive: true });
    await writeFile(join(root, 'users', String(process.pid)), '');
    return cluster;
  });
}

/** Unregisters this process; the last user of a test-started cluster stops it. */
export async function releaseTestCluster(dir: string, log: Log = stderrLog): Promise<void> {
  const root = resolve(dir);
  await withLock(root, async () => {
    const users = join(root, 'users');
    await rm(join(users, String(process.pid)), { force: true });
    const others = (await readdir(users).catch(() => [] as string[])).filter((name) => {
      const alive = isAlive(Number(name));
      if (!alive) rmSync(join(users, name), { force: true });
      return alive;
    });
    if (others.length > 0) {
      log(`left running for ${others.length} other test run(s)`);
      return;
    }
    if (existsSync(join(root, 'started-by-tests'))) {
      await stopUnlocked(root, log);
      await rm(join(root, 'started-by-tests'), { force: true });
    }
  });
}

async function withLock<T>(root: string, work: () => Promise<T>): Promise<T> {
  await mkdir(root, { recursive: true });
  // Two test runs sharing a tree must not start two clusters in one folder.
  const release = await acquireDirLock(join(root, 'start.lock'), READY_TIMEOUT_MS + 60_000);
  try {
    return await work();
  } finally {
    await release();
  }
}

async function startUnlocked(root: string, log: Log): Promise<TestCluster> {
  const running = await runningCluster(root);
  if (running !== undefined) {
    log(`already running in ${root} (pid ${running.pid})`);
    return { ...running, startedNow: false };
  }
  const binary = await ensureBinary(log);
  const started = Date.now();
  const port = await freePort();
  const etcdPort = await freePortPair();
  await rm(join(root, 'etcd'), { recursive: true, force: true });
  const logFd = openSync(join(root, 'apiserver.log'), 'w');
  const args = ['--dir', root, '--port', String(port), '--etcd-port', String(etcdPort)];
  const child = spawn(binary, args, { detached: true, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${binary}`);
  await writeFile(join(root, 'pid'), `${pid}\n`);
  await writeFile(join(root, 'port'), `${port}\n`);
  const server = `https://127.0.0.1:${port}`;
  try {
    await waitReady(root, pid, server);
  } catch (e) {
    await stopUnlocked(root, () => {});
    throw e;
  }
  const cluster = await writeKubeconfigs(root, server, pid);
  await applyTarsRbac(cluster.adminKubeconfig);
  log(`ready at ${server} in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${pid})`);
  return { ...cluster, startedNow: true };
}

async function stopUnlocked(root: string, log: Log): Promise<void> {
  const pid = await readPid(root);
  if (pid !== undefined && isOurProcess(pid)) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (isAlive(pid) && Date.now() < deadline) await sleep(200);
    if (isAlive(pid)) {
      log(`pid ${pid} ignored SIGTERM for ${STOP_TIMEOUT_MS / 1000} s; killing it`);
      process.kill(pid, 'SIGKILL');
      while (isAlive(pid)) await sleep(100);
    }
    log(`stopped pid ${pid}`);
  }
  await rm(join(root, 'pid'), { force: true });
}

async function runningCluster(root: string): Promise<Omit<TestCluster, 'startedNow'> | undefined> {
  const pid = await readPid(root);
  if (pid === undefined || !isOurProcess(pid)) return undefined;
  const port = Number((await readFile(join(root, 'port'), 'utf8').catch(() => '')).trim());
  if (!port) return undefined;
  const server = `https://127.0.0.1:${port}`;
  if ((await readyzStatus(root, server)) !== 200) return undefined;
  return writeKubeconfigs(root, server, pid);
}

async function readPid(root: string): Promise<number | undefined> {
  const text = await readFile(join(root, 'pid'), 'utf8').catch(() => '');
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The pid file may outlive its process; never signal a pid that is not our binary. */
function isOurProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  const cmdline = readFileSafe(`/proc/${pid}/cmdline`);
  return cmdline === '' ? true : cmdline.includes('testcluster');
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

async function waitReady(root: string, pid: number, server: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 0;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      throw new Error(`the test cluster exited during start:\n${await logTail(root)}`);
    }
    last = await readyzStatus(root, server);
    if (last === 200) return;
    await sleep(500);
  }
  throw new Error(
    `the test cluster did not become ready in ${READY_TIMEOUT_MS / 1000} s ` +
      `(last /readyz: ${last || 'no answer'}):\n${await logTail(root)}`,
  );
}

async function logTail(root: string): Promise<string> {
  const text = await readFile(join(root, 'apiserver.log'), 'utf8').catch(() => '');
  return text.split('\n').slice(-30).join('\n');
}

/** HTTP status of /readyz with the admin token, 0 when nothing answers yet. */
async function readyzStatus(root: string, server: string): Promise<number> {
  let ca: string;
  let token: string;
  try {
    ca = await readFile(join(root, 'pki', 'ca.crt'), 'utf8');
    token = tokenFor(await readFile(join(root, 'pki', 'tokens.csv'), 'utf8'), 'admin');
  } catch {
    return 0;
  }
  return new Promise((resolveStatus) => {
    const req = https.get(
      `${server}/readyz`,
      { ca, headers: { Authorization: `Bearer ${token}` }, timeout: 5000 },
      (res) => {
        res.resume();
        resolveStatus(res.statusCode ?? 0);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolveStatus(0));
  });
}

/** tokens.csv lines are `token,user,uid,"groups"`. */
function tokenFor(csv: string, user: string): string {
  for (const line of csv.split('\n')) {
    const [token, name] = line.split(',');
    if (name === user && token) return token;
  }
  throw new Error(`no token for user ${user} in tokens.csv`);
}

async function writeKubeconfigs(
  root: string,
  server: string,
  pid: number,
): Promise<Omit<TestCluster, 'startedNow'>> {
  const caPem = await readFile(join(root, 'pki', 'ca.crt'), 'utf8');
  const csv = await readFile(join(root, 'pki', 'tokens.csv'), 'utf8');
  const adminKubeconfig = join(root, 'admin.kubeconfig');
  const tarsKubeconfig = join(root, 'tars.kubeconfig');
  const base = { name: CLUSTER_NAME, server, caPem };
  writeTokenKubeconfig(adminKubeconfig, { ...base, user: 'admin', token: tokenFor(csv, 'admin') });
  writeTokenKubeconfig(tarsKubeconfig, { ...base, user: 'tars', token: tokenFor(csv, 'tars') });
  return { dir: root, server, adminKubeconfig, tarsKubeconfig, pid };
}

/** The subject the shipped read-only ClusterRole is bound to. */
export type RbacSubject =
  { kind: 'User'; name: string } | { kind: 'ServiceAccount'; name: string; namespace: string };

/** Applies the shipped ClusterRole and binds `subject` to it (server-side apply, idempotent). */
export async function applyTarsRbac(
  adminKubeconfig: string,
  subject: RbacSubject = { kind: 'User', name: 'tars' },
): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(adminKubeconfig);
  const api = KubernetesObjectApi.makeApiClient(kc);
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: TARS_CLUSTER_ROLE_NAME },
    roleRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: TARS_CLUSTER_ROLE_NAME,
    },
    subjects: [
      subject.kind === 'User'
        ? { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: subject.name }
        : subject,
    ],
  };
  for (const object of [tarsClusterRole(), binding] as KubernetesObject[]) {
    await api.patch(object, undefined, undefined, 'tars-test', true, PatchStrategy.ServerSideApply);
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = net.createServer();
    server.once('error', () => resolveFree(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree(true)));
  });
}

/** etcd takes two ports: clients on P, peers on P + 1. */
async function freePortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await freePort();
    if (port < 65535 && (await portIsFree(port + 1))) return port;
  }
  throw new Error('no two adjacent free ports on 127.0.0.1');
}
