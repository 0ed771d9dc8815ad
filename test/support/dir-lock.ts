/**
 * A lock between processes, and between callers in one process, as a folder: mkdir is atomic,
 * and the folder's owner file names the holder. Used where test runs share a tree: building a Go
 * binary once, starting one test cluster in a folder.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A lock folder without an owner file this old was left by a process that died in between. */
const OWNERLESS_LOCK_MS = 10_000;
const POLL_MS = 500;

/**
 * Waits up to `timeoutMs` for the lock and returns its release. A lock whose owner died, or that
 * never got an owner, is taken over.
 */
export async function acquireDirLock(
  lockDir: string,
  timeoutMs: number,
): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(join(lockDir, 'owner'), String(process.pid));
      return () => rm(lockDir, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = await lockOwner(lockDir);
    if (await isStale(lockDir, owner)) {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${Math.round(timeoutMs / 1000)} s waiting for the lock ${lockDir} ` +
          `(held by pid ${owner || 'unknown'})`,
      );
    }
    await sleep(POLL_MS);
  }
}

async function lockOwner(lockDir: string): Promise<number> {
  return Number((await readFile(join(lockDir, 'owner'), 'utf8').catch(() => '')).trim());
}

async function isStale(lockDir: string, owner: number): Promise<boolean> {
  if (owner > 0) return !isAlive(owner);
  const created = await stat(lockDir).catch(() => undefined);
  // Gone meanwhile: not stale, the next mkdir simply succeeds.
  return created !== undefined && Date.now() - created.mtimeMs > OWNERLESS_LOCK_MS;
}

/** Whether the process runs; a zombie (exited, not yet reaped by its parent) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  let status = '';
  try {
    status = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    // No /proc (not Linux) or the process just went: kill(0) answered, trust it.
  }
  return !/^\d+ \(.*\) Z/.test(status);
}
