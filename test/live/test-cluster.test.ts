/**
 * The test cluster's own contract: a second start on a running directory is harmless, and stop
 * leaves no process behind. Uses a second cluster in a temporary directory so the suite's shared
 * one is untouched. Skipped against an external cluster (TARS_TEST_KUBECONFIG).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { LiveClusterSource } from '../../src/cluster/live/index.js';
import { kindInfo } from '../../src/cluster/kinds.js';
import type { KindInfo } from '../../src/cluster/kinds.js';
import { startTestCluster, stopTestCluster } from '../cluster/cli.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True once no process has `pid` (not even a zombie), polling up to `ms`. */
async function goneWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return !alive(pid);
}

describe.skipIf(process.env.TARS_TEST_KUBECONFIG)('test cluster lifecycle', () => {
  it('starts, starts again harmlessly, serves the tars identity, and stops completely', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tars-cluster-'));
    const quiet = (): void => {};
    try {
      const first = await startTestCluster(dir, quiet);
      expect(first.startedNow).toBe(true);
      expect(alive(first.pid)).toBe(true);
      const second = await startTestCluster(dir, quiet);
      expect(second).toMatchObject({ startedNow: false, pid: first.pid, server: first.server });

      const kubeconfig = readFileSync(second.tarsKubeconfig, 'utf8');
      expect(kubeconfig).toContain(`server: ${first.server}`);
      expect(kubeconfig).toContain('certificate-authority-data');
      const snapshot = await LiveClusterSource.fromConfig({
        kubeconfig: second.tarsKubeconfig,
        kinds: [kindInfo('Namespace') as KindInfo],
      }).read();
      expect(snapshot.clusterName).toBe('tars-test');
      expect(snapshot.objects.map((o) => o.metadata.name)).toContain('kube-system');

      await stopTestCluster(dir, quiet);
      // stop returns once the server has exited; this process (its parent) reaps it just after.
      expect(await goneWithin(first.pid, 5_000)).toBe(true);
      await stopTestCluster(dir, quiet); // idempotent
    } finally {
      await stopTestCluster(dir, () => {});
    }
  }, 240_000);
});
