import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { ensureGoBinary, goBinaryPath, goModuleDir } from './go-binary.js';

const HELLO = `package main

import "fmt"

func main() { fmt.Println("hello from go") }
`;

/** A module without dependencies builds offline; GOTOOLCHAIN=local never fetches a toolchain. */
function writeHelloModule(dir: string): void {
  writeFileSync(join(dir, 'go.mod'), 'module example.com/hello\n\ngo 1.22\n');
  writeFileSync(join(dir, 'main.go'), HELLO);
}

describe('ensureGoBinary', () => {
  const goBuildCache = execFileSync('go', ['env', 'GOCACHE'], { encoding: 'utf8' }).trim();
  let root: string;
  let moduleDir: string;
  let logged: string[];
  const log = (message: string): void => void logged.push(message);
  const builds = (): string[] => logged.filter((line) => line.startsWith('built hello in'));

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'tars-go-binary-'));
    moduleDir = join(root, 'hello');
    mkdirSync(moduleDir);
    writeHelloModule(moduleDir);
    // Go derives its own build cache from XDG_CACHE_HOME too: keep the warm one, or every build
    // here compiles the standard library again.
    vi.stubEnv('GOCACHE', goBuildCache);
    vi.stubEnv('XDG_CACHE_HOME', join(root, 'cache'));
    vi.stubEnv('GOTOOLCHAIN', 'local');
    logged = [];
  });

  afterEach(() => {
    vi.unstubAllEnvs();
    rmSync(root, { recursive: true, force: true });
  });

  it('builds once into the cache and then returns the cached binary', async () => {
    const first = await ensureGoBinary({ moduleDir, binaryName: 'hello', log });
    expect(dirname(first)).toBe(join(root, 'cache', 'tars'));
    expect(first).toMatch(/\/hello-[0-9a-f]{16}$/);
    expect(execFileSync(first, { encoding: 'utf8' })).toBe('hello from go\n');
    expect(builds()).toHaveLength(1);
    const builtAt = statSync(first).mtimeMs;

    const second = await ensureGoBinary({ moduleDir, binaryName: 'hello', log });
    expect(second).toBe(first);
    expect(builds()).toHaveLength(1);
    expect(statSync(second).mtimeMs).toBe(builtAt);
    // No temporary file or lock is left beside the binary.
    expect(readdirSync(dirname(first))).toEqual([basename(first)]);
  });

  it('gives changed Go sources a new path and a new build', async () => {
    const before = await ensureGoBinary({ moduleDir, binaryName: 'hello', log });
    writeFileSync(join(moduleDir, 'main.go'), HELLO.replace('hello from go', 'changed'));
    const after = goBinaryPath(moduleDir, 'hello');
    expect(after).not.toBe(before);
    expect(await ensureGoBinary({ moduleDir, binaryName: 'hello', log })).toBe(after);
    expect(execFileSync(after, { encoding: 'utf8' })).toBe('changed\n');
    expect(builds()).toHaveLength(2);
  });

  it('counts a new .go file, name included, in the hash', () => {
    const before = goBinaryPath(moduleDir, 'hello');
    writeFileSync(join(moduleDir, 'extra.go'), 'package main\n');
    expect(goBinaryPath(moduleDir, 'hello')).not.toBe(before);
  });

  it('builds once for concurrent callers', async () => {
    const paths = await Promise.all([
      ensureGoBinary({ moduleDir, binaryName: 'hello', log }),
      ensureGoBinary({ moduleDir, binaryName: 'hello', log }),
    ]);
    expect(paths[0]).toBe(paths[1]);
    expect(builds()).toHaveLength(1);
  });

  it('takes over a lock whose owner died', async () => {
    const lock = `${goBinaryPath(moduleDir, 'hello')}.lock`;
    mkdirSync(lock, { recursive: true });
    // Pid of a process that has exited.
    const dead = execFileSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).trim();
    writeFileSync(join(lock, 'owner'), dead);
    await ensureGoBinary({ moduleDir, binaryName: 'hello', log });
    expect(builds()).toHaveLength(1);
    expect(existsSync(lock)).toBe(false);
  });

  it('fails with the tail of the compiler output and leaves nothing behind', async () => {
    writeFileSync(join(moduleDir, 'main.go'), 'package main\n\nfunc main() { undefinedThing() }\n');
    const binary = goBinaryPath(moduleDir, 'hello');
    await expect(ensureGoBinary({ moduleDir, binaryName: 'hello', log })).rejects.toThrow(
      /go build of hello in .* failed \(exit 1\):\n[^]*undefined: undefinedThing/,
    );
    expect(readdirSync(dirname(binary))).toEqual([]);
  });
});

describe('goModuleDir', () => {
  it('finds the modules under test/', () => {
    expect(existsSync(join(goModuleDir('cluster'), 'main.go'))).toBe(true);
    expect(existsSync(join(goModuleDir('sync'), 'main.go'))).toBe(true);
  });

  it('names the module it cannot find', () => {
    expect(() => goModuleDir('no-such-module')).toThrow(/cannot find test\/no-such-module\/go.mod/);
  });
});
