// `tars plan` as a user runs it: the bundled example, determinism, and bad input that must
// exit with the contract's code, one clear line, and nothing written.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readTree, REPO_ROOT, tars, type TarsRun } from './run-tars.js';

const EXAMPLE = 'examples/online-boutique';

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `tars-${prefix}-`));
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

/** `tars plan` of the bundled example with `flags`, written to `out`, quietly. */
function planExample(out: string, ...flags: string[]): TarsRun {
  return tars(['plan', '--snapshot', EXAMPLE, ...flags, '--out', out, '--quiet']);
}

describe('tars plan on the bundled example', () => {
  it('writes a tree kustomize renders, and two runs are byte-identical', () => {
    const [a, b] = [tempDir('plan-a'), tempDir('plan-b')];
    const first = tars(['plan', '--snapshot', EXAMPLE, '--out', a, '--quiet']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/online-boutique \(snapshot, \d+ objects\)/);
    expect(tars(['plan', '--snapshot', EXAMPLE, '--out', b, '--quiet']).code).toBe(0);

    const treeA = readTree(a);
    const treeB = readTree(b);
    expect([...treeA.keys()]).toEqual([...treeB.keys()]);
    for (const [file, content] of treeA) expect(treeB.get(file), file).toBe(content);
    expect(treeA.has('online-boutique/boutique/deployment-frontend.yaml')).toBe(true);

    const rendered = execFileSync('kubectl', ['kustomize', join(a, 'online-boutique')], {
      encoding: 'utf8',
    });
    const kinds = rendered.split('\n---\n').map((doc) => (parse(doc) as { kind: string }).kind);
    expect(kinds).toContain('Deployment');
    expect(kinds).toContain('Namespace');
  });

  it('uses the built-in policy where there is no ./policies, and insists on a named one', () => {
    const elsewhere = tempDir('cwd');
    const example = join(REPO_ROOT, EXAMPLE);
    expect(
      tars(
        ['plan', '--snapshot', example, '--out', join(elsewhere, 'out'), '--quiet'],
        {},
        elsewhere,
      ).code,
    ).toBe(0);
    const named = tars(
      ['plan', '--snapshot', example, '--policies', 'missing', '--out', join(elsewhere, 'o2')],
      {},
      elsewhere,
    );
    expect(named.code).toBe(2);
    expect(named.stderr).toContain('policy directory missing does not exist');
  });

  it('prints the summary as JSON on request', () => {
    const out = tempDir('plan-json');
    const run = tars(['plan', '--snapshot', EXAMPLE, '--out', out, '--quiet', '--output', 'json']);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as {
      cluster: string;
      workloads: number;
      managedBy: Record<string, number>;
    };
    expect(summary.cluster).toBe('online-boutique');
    expect(summary.managedBy).toMatchObject({ helm: 1, argocd: 1 });
  });
});

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function kubeconfigFor(server: string): string {
  const dir = tempDir('kubeconfig');
  const file = join(dir, 'config');
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: gone, cluster: {server: "' +
        server +
        '", insecure-skip-tls-verify: true}}]',
      'users: [{name: u, user: {token: not-a-real-token}}]',
      'contexts: [{name: gone, context: {cluster: gone, user: u}}]',
      'current-context: gone',
    ].join('\n'),
  );
  return file;
}

describe('the cost figures of the bundled example', () => {
  it('add up: in the model, every total is its parts; in the summary, the total row its rows', () => {
    const out = tempDir('plan-cost');
    const modelFile = join(out, 'model.json');
    const run = tars(['plan', '--snapshot', EXAMPLE, '--out', out, '--model', modelFile]);
    expect(run.code, run.stderr).toBe(0);
    type Figures = { cpu: number; memory: number; storage: number; total: number };
    const { cost } = JSON.parse(readFileSync(modelFile, 'utf8')) as {
      cost: {
        today: Figures;
        proposed: Figures;
        workloads: { today: Figures; proposed: Figures }[];
      };
    };
    const cents = (x: number): number => Math.round(x * 100);
    for (const f of [
      cost.today,
      cost.proposed,
      ...cost.workloads.flatMap((w) => [w.today, w.proposed]),
    ])
      expect(cents(f.total), JSON.stringify(f)).toBe(
        cents(f.cpu) + cents(f.memory) + cents(f.storage),
      );

    // The summary table: workload rows, then the total row; columns today, proposed, saving.
    const rows = lines(run.stdout)
      .filter((l) => /^(Deployment|StatefulSet|DaemonSet|CronJob|Job)\/|^total /.test(l))
      .map((l) =>
        l
          .trim()
          .split(/\s+/)
          .slice(-3)
          .map((x) => cents(Number(x))),
      );
    const total = rows.pop()!;
    expect(rows.length).toBe(cost.workloads.length);
    for (const column of [0, 1, 2])
      expect(total[column]).toBe(rows.reduce((sum, r) => sum + r[column], 0));
  });
});

describe('tars plan with kube-system, which the default policy leaves out', () => {
  // The bundled example plus a kube-system DaemonSet requesting 3 cores on each of the three
  // 3920m nodes: 920m is left per node for the 1570m of boutique requests.
  const AGENT = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'node-agent', namespace: 'kube-system', uid: 'ds-node-agent' },
    spec: {
      selector: { matchLabels: { app: 'node-agent' } },
      template: {
        metadata: { labels: { app: 'node-agent' } },
        spec: {
          containers: [{ name: 'agent', image: 'agent:1', resources: { requests: { cpu: '3' } } }],
        },
      },
    },
  };
  type Model = { cost: { today: unknown; nodes: { packedToday: number } } };
  const plan = (snapshot: string, ...flags: string[]): { stdout: string; model: Model } => {
    const out = tempDir('kube-system-out');
    const model = join(out, 'model.json');
    const run = tars(['plan', '--snapshot', snapshot, ...flags, '--out', out, '--model', model]);
    expect(run.code, run.stderr).toBe(0);
    return { stdout: run.stdout, model: JSON.parse(readFileSync(model, 'utf8')) as Model };
  };

  it('counts its DaemonSet on every node as when it is analysed, and prices only the analysed', () => {
    const snapshot = tempDir('kube-system');
    cpSync(EXAMPLE, snapshot, { recursive: true });
    writeFileSync(join(snapshot, 'kube-system.json'), JSON.stringify(AGENT));
    const policies = tempDir('policies');
    writeFileSync(
      join(policies, 'default.yaml'),
      readFileSync('policies/default.yaml', 'utf8').replace(
        /exclude:\n(\s+- kube-[a-z-]+\n)+/,
        'exclude: []\n',
      ),
    );

    const alone = plan(EXAMPLE);
    const excluded = plan(snapshot);
    const analysed = plan(snapshot, '--policies', policies);
    expect(alone.model.cost.nodes.packedToday).toBe(1);
    expect(analysed.model.cost.nodes.packedToday).toBeGreaterThan(1);
    expect(excluded.model.cost.nodes.packedToday).toBe(analysed.model.cost.nodes.packedToday);
    expect(excluded.stdout).toMatch(
      /both counts include 1 DaemonSet the policy does not analyse, as it runs today/,
    );
    expect(excluded.model.cost.today).toEqual(alone.model.cost.today);
  });
});

describe('tars plan without usage history', () => {
  function snapshotWithoutHistory(): string {
    const dir = tempDir('nohistory');
    for (const file of ['cluster.yaml', 'namespaces.yaml', 'deployments.yaml', 'services.yaml']) {
      writeFileSync(join(dir, file), readFileSync(join(EXAMPLE, file), 'utf8'));
    }
    return dir;
  }

  it('plans what needs no history and says right-sizing was skipped', () => {
    const out = tempDir('nohistory-out');
    const run = tars(['plan', '--snapshot', snapshotWithoutHistory(), '--out', out, '--quiet']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Right-sizing skipped: no usage history/);
    expect(readTree(out).has('online-boutique/boutique/deployment-frontend.yaml')).toBe(true);
  });

  it('an unreachable Prometheus: the plan is written, says why, and exits 3', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const out = tempDir('prom-down');
    const run = tars([
      'plan',
      '--snapshot',
      snapshotWithoutHistory(),
      '--prometheus',
      url,
      '--out',
      out,
      '--quiet',
    ]);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain(`No usage history: Prometheus ${url} is unreachable`);
    expect(lines(run.stderr)).toEqual([
      expect.stringMatching(new RegExp(`^tars: Prometheus ${url} is unreachable: `)),
    ]);
    expect(readTree(out).has('online-boutique/boutique/deployment-frontend.yaml')).toBe(true);
  });
});

describe('tars plan with bad input', () => {
  it('a missing kubeconfig: exit 2, names the file, writes nothing', () => {
    const out = join(tempDir('bad'), 'out');
    const run = tars(['plan', '--kubeconfig', '/nonexistent/kubeconfig', '--out', out]);
    expect(run.code).toBe(2);
    const errors = lines(run.stderr).filter((l) => l.startsWith('tars:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('/nonexistent/kubeconfig');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });

  it('an unreachable API server: exit 3, names the server and why, writes nothing', async () => {
    const server = `https://127.0.0.1:${await closedPort()}`;
    const out = join(tempDir('bad'), 'out');
    const run = tars(['plan', '--kubeconfig', kubeconfigFor(server), '--out', out, '--quiet']);
    expect(run.code).toBe(3);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toContain(server);
    expect(run.stderr).toMatch(/unreachable: .*(ECONNREFUSED|refused)/i);
    expect(run.stderr).not.toContain('not-a-real-token');
    expect(existsSync(out)).toBe(false);
  });

  it('a malformed snapshot document: exit 2, names file and document, writes nothing', () => {
    const snapshot = tempDir('snap');
    writeFileSync(
      join(snapshot, 'objects.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 42\n',
    );
    const out = join(tempDir('bad'), 'out');
    const run = tars(['plan', '--snapshot', snapshot, '--out', out, '--quiet']);
    expect(run.code).toBe(2);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(/objects\.yaml: document 2 \(line 9\): metadata\.name/);
    expect(existsSync(out)).toBe(false);
  });

  it('a policy with a wrong field: exit 2, names file, line and field, writes nothing', () => {
    const policies = tempDir('policies');
    writeFileSync(
      join(policies, 'prod.yaml'),
      'apiVersion: tars.dev/v1alpha1\nkind: Policy\nmetadata:\n  name: prod\nspec:\n  rollout:\n    waveSize: 0\n',
    );
    const out = join(tempDir('bad'), 'out');
    const run = planExample(out, '--policies', policies);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${join(policies, 'prod.yaml')}:7: spec.rollout.waveSize: must be >= 1`,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });

  it('keeps the previous tree when a later run fails', () => {
    const out = tempDir('keep');
    expect(tars(['plan', '--snapshot', EXAMPLE, '--out', out, '--quiet']).code).toBe(0);
    const before = readTree(out);
    const broken = tempDir('snap');
    mkdirSync(join(broken, 'x'));
    writeFileSync(join(broken, 'x', 'bad.yaml'), 'kind: [unclosed\n');
    expect(tars(['plan', '--snapshot', broken, '--out', out, '--quiet']).code).toBe(2);
    expect(readTree(out)).toEqual(before);
  });

  it('a malformed --prometheus-header: exit 2, one line naming the flag, never the value', () => {
    const cases: [string, RegExp][] = [
      ['X-Scope-OrgID tenant-s3cret', /no ":" in a header: expected "Name: value"/],
      [': tenant-s3cret', /a header has no name/],
      ['X Scope: tenant-s3cret', /"X Scope" is not a valid header name/],
      ['X-Scope-OrgID:', /header X-Scope-OrgID has no value/],
      ['X-Scope-OrgID: tenant-s3cret\r\nX-Evil: 1', /line break or control character/],
    ];
    for (const [header, message] of cases) {
      const out = join(tempDir('bad'), 'out');
      const flags = ['--prometheus', 'http://127.0.0.1:9', '--prometheus-header', header];
      const run = planExample(out, ...flags);
      expect(run.code, header).toBe(2);
      expect(lines(run.stderr), header).toEqual([
        expect.stringMatching(/^tars: --prometheus-header: /),
      ]);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toContain('s3cret');
      expect(existsSync(out)).toBe(false);
    }
  });

  it('the same --prometheus-header twice: exit 2', () => {
    const run = tars([
      'plan',
      '--snapshot',
      EXAMPLE,
      '--prometheus-header',
      'X-Scope-OrgID: a',
      '--prometheus-header',
      'x-scope-orgid: b',
      '--out',
      join(tempDir('bad'), 'out'),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('tars: --prometheus-header: header x-scope-orgid is given twice\n');
  });

  it('a usage error exits 2', () => {
    const run = tars(['plan', '--snapshot', EXAMPLE, '--kubeconfig', 'x']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot be used with/);
  });
});
