/**
 * `tars snapshot --quiet` silences progress, not warnings: a kind its identity may not list
 * (real RBAC of the real API server) is named on stderr, with the server's answer, so a snapshot
 * taken by a script does not silently lack it.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { tarsClusterRoleRules } from '../../src/bootstrap/rbac.js';
import { tars } from '../cli/run-tars.js';
import { restrictedIdentity } from '../support/cluster.js';

describe('tars snapshot --quiet of a cluster it may not wholly read', () => {
  it('still names on stderr each kind it could not list, and why', async () => {
    const withoutPods = tarsClusterRoleRules().map((rule) => ({
      ...rule,
      resources: rule.apiGroups.includes('')
        ? rule.resources.filter((r) => r !== 'pods')
        : rule.resources,
    }));
    const kubeconfig = await restrictedIdentity('snapshot-no-pods', withoutPods);
    const out = join(mkdtempSync(join(tmpdir(), 'tars-snapshot-')), 'snapshot');

    const run = tars(['snapshot', '--kubeconfig', kubeconfig, '--out', out, '--quiet']);

    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    const lines = run.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^tars: skipped Pod: forbidden \(may not list pods: pods is forbidden: User "\S+" cannot list resource "pods"/,
    );
    // The snapshot records it too, for a plan of it.
    const info = parse(readFileSync(join(out, 'cluster.yaml'), 'utf8')) as {
      skipped: { kind: string; reason: string }[];
    };
    expect(info.skipped.map(({ kind, reason }) => ({ kind, reason }))).toEqual([
      { kind: 'Pod', reason: 'forbidden' },
    ]);
  });
});
