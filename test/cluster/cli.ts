/**
 * `npm run test-cluster -- start --dir D` / `stop --dir D` (see DESIGN.md, command-line contract).
 * The work is in test-cluster.ts so vitest's global setup can call it without a subprocess.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { ensureBinary, startTestCluster, stopTestCluster } from './test-cluster.js';

export { startTestCluster, stopTestCluster } from './test-cluster.js';

const USAGE = 'usage: test-cluster start --dir D | stop --dir D | build';

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === 'build') {
    // CI builds (or finds cached) the API server before the suite, so its time shows apart.
    process.stdout.write(`${await ensureBinary()}\n`);
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
