/**
 * Writes that a reader never sees half done. Files go to a temporary name beside the target
 * (same directory, so the same filesystem) and are renamed into place; whole trees are staged
 * in a sibling directory and swapped in. A failure before the swap leaves the previous file or
 * tree exactly as it was.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, sep } from 'node:path';

/** Prefixes of the sibling directories a tree write uses; leftovers of a crashed run match them. */
const STAGING_MARK = '.tars-new-';
const RETIRED_MARK = '.tars-old-';

function uniqueSuffix(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Writes and flushes one file; the handle is closed even when the write fails. */
async function writeDurably(path: string, content: string | Uint8Array): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Replaces `file` with `content` in one rename; creates missing parent directories. */
export async function writeFileAtomically(
  file: string,
  content: string | Uint8Array,
): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(file)}${STAGING_MARK}${uniqueSuffix()}`);
  try {
    await writeDurably(temp, content);
    await rename(temp, file);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}

/** A relative path that stays inside its root: no `..`, no absolute path, no empty segment. */
export function assertContainedPath(relPath: string): void {
  const normalized = normalize(relPath);
  const escapes =
    relPath === '' ||
    isAbsolute(relPath) ||
    normalized !== relPath.split('/').join(sep) ||
    normalized.split(sep).some((segment) => segment === '..' || segment === '.' || segment === '');
  if (escapes) throw new Error(`refusing to write "${relPath}": not a plain relative path`);
}

/** Removes what a crashed earlier write of the same target left beside it. */
async function removeLeftovers(parent: string, name: string): Promise<void> {
  const entries = await readdir(parent);
  const leftovers = entries.filter(
    (entry) =>
      entry.startsWith(`.${name}${STAGING_MARK}`) || entry.startsWith(`.${name}${RETIRED_MARK}`),
  );
  await Promise.all(
    leftovers.map((entry) => rm(join(parent, entry), { recursive: true, force: true })),
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

async function writeAll(
  root: string,
  files: ReadonlyMap<string, string | Uint8Array>,
): Promise<void> {
  const paths = [...files.keys()].sort();
  for (const relPath of paths) {
    const target = join(root, relPath);
    await mkdir(dirname(target), { recursive: true });
    await writeDurably(target, files.get(relPath)!);
  }
}

/**
 * Makes `targetDir` contain exactly `files` (relative path → content). Everything is written into
 * a staging directory beside the target first; then the old tree is renamed away, the new one
 * renamed in, and the old one removed. A reader sees the old tree or the new one (or, for the
 * instant between the two renames, none), never a mix; if anything fails before the swap, the old
 * tree is untouched. One writer per target at a time: a new write clears a crashed one's leftovers.
 */
export async function writeTreeAtomically(
  targetDir: string,
  files: ReadonlyMap<string, string | Uint8Array>,
): Promise<void> {
  for (const relPath of files.keys()) assertContainedPath(relPath);
  const parent = dirname(targetDir);
  const name = basename(targetDir);
  await mkdir(parent, { recursive: true });
  await removeLeftovers(parent, name);

  const staging = join(parent, `.${name}${STAGING_MARK}${uniqueSuffix()}`);
  await mkdir(staging);
  try {
    await writeAll(staging, files);
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
  await swapIntoPlace(staging, targetDir, join(parent, `.${name}${RETIRED_MARK}${uniqueSuffix()}`));
}

async function swapIntoPlace(staging: string, targetDir: string, retired: string): Promise<void> {
  const hadOldTree = await exists(targetDir);
  if (hadOldTree) await rename(targetDir, retired);
  try {
    await rename(staging, targetDir);
  } catch (e) {
    // Put the previous tree back so a failed swap changes nothing.
    if (hadOldTree) await rename(retired, targetDir);
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
  if (hadOldTree) await rm(retired, { recursive: true, force: true });
}
