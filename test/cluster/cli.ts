/**
 * `npm run test-cluster -- start --dir D` / `stop --dir D` (see DESIGN.md, command-line contract);
 * `build` builds (or finds cached) the test cluster and tars-sync binaries and prints their paths.
 * The work is in test-cluster.ts so vitest's global setup can call it without a subprocess.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { ensureSyncBinary } from '../sync/sync.js';
import { ensureBinary, startTestCluster, stopTestCluster } from './test-cluster.js';

export { startTestCluster, stopTestCluster } from './test-cluster.js';

const USAGE = 'usage: test-cluster start --dir D | stop --dir D | build';

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === 'build') {
    await buildGoTools();
    return 0;
  }
  const dirIndex = rest.indexOf('--dir');
  const dir = dirIndex >= 0 ? rest[dirIndex + 1] : undefined;
  if ((verb !== 'start' && verb !== 'stop') || dir === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (verb === 'stop') {
    await stopTestCluster(dir);
    return 0;
  }
  const started = Date.now();
  const cluster = await startTestCluster(dir);
  process.stdout.write(
    `${cluster.startedNow ? 'started' : 'already running'}: ${cluster.server} (pid ${cluster.pid}) ` +
      `in ${((Date.now() - started) / 1000).toFixed(1)} s\n` +
      `admin: ${cluster.adminKubeconfig}\ntars:  ${cluster.tarsKubeconfig}\n`,
  );
  return 0;
}

/**
 * CI builds (or finds cached) both Go programs the suite runs before the suite, so the Go build
 * time shows as its own phase instead of hiding in the first test that needs a binary.
 */
async function buildGoTools(): Promise<void> {
  const tools: [string, () => Promise<string>][] = [
    ['test cluster', () => ensureBinary()],
    ['tars-sync', () => ensureSyncBinary()],
  ];
  // One after the other: two cores, and each build already uses both.
  for (const [name, ensure] of tools) {
    const started = Date.now();
    const path = await ensure();
    process.stdout.write(`${name}: ${path} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  }
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  return entry !== undefined && realpathSync(entry) === fileURLToPath(import.meta.url);
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`test-cluster: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
