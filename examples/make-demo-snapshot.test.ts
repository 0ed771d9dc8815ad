import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateDemo, projectRoot } from './make-demo-snapshot.js';

type Json = Record<string, unknown>;

function readTree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path));
    }
  };
  walk(dir);
  return files;
}

/** Paths whose bytes differ or exist on one side only, so a failure names files, not megabytes. */
function differences(a: Map<string, Buffer>, b: Map<string, Buffer>): string[] {
  const paths = new Set([...a.keys(), ...b.keys()]);
  return [...paths].filter((p) => !(a.get(p)?.equals(b.get(p) ?? Buffer.alloc(0)) ?? false)).sort();
}

const items = (tree: Map<string, Buffer>, file: string): Json[] =>
  (parse(tree.get(file)?.toString('utf8') ?? '') as { items: Json[] }).items;
const meta = (o: Json): Json => o.metadata as Json;

describe('make-demo-snapshot', () => {
  const root = projectRoot();
  let scratch: string;
  let first: Map<string, Buffer>;
  let second: Map<string, Buffer>;

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'tars-demo-'));
    generateDemo(join(scratch, 'a'), root);
    generateDemo(join(scratch, 'b'), root);
    first = readTree(join(scratch, 'a'));
    second = readTree(join(scratch, 'b'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('writes identical bytes on every run', () => {
    expect(first.size).toBeGreaterThan(10);
    expect(differences(first, second)).toEqual([]);
  });

  it('matches the committed examples/online-boutique (regenerate it if this fails)', () => {
    const committed = readTree(join(root, 'examples/online-boutique'));
    expect(differences(committed, first)).toEqual([]);
  });

  it('writes each history family as a self-contained OpenMetrics file of a week at 5-minute steps', () => {
    const histories = [...first.keys()].filter((p) => p.startsWith('history/'));
    expect(histories.length).toBe(6);
    for (const path of histories) {
      const text = first.get(path)?.toString('utf8') ?? '';
      expect(text.endsWith('\n# EOF\n')).toBe(true);
      expect(text.split('\n').filter((l) => l.startsWith('# TYPE ')).length).toBe(1);
    }
    const memory =
      first.get('history/container_memory_working_set_bytes.om')?.toString('utf8') ?? '';
    const frontend = memory.split('\n').filter((l) => l.includes('pod="frontend-'));
    expect(frontend.length).toBe(7 * 288);
    const times = frontend.map((l) => Number(l.split(' ').pop()));
    expect(times[0]).toBe(Date.parse('2026-11-01T00:00:00Z') / 1000);
    expect(times.every((t, i) => i === 0 || t - (times[i - 1] ?? 0) === 300)).toBe(true);
  });

  it('keeps a replaced pod in the history only, its ReplicaSet scaled to zero', () => {
    const pods = items(first, 'pods.yaml').map((p) => String(meta(p).name));
    const cpu = first.get('history/container_cpu_usage_seconds_total.om')?.toString('utf8') ?? '';
    const historyPods = new Set([...cpu.matchAll(/pod="([^"]+)"/g)].map((m) => m[1]));
    const gone = [...historyPods].filter((p) => p !== undefined && !pods.includes(p));
    expect(gone.length).toBe(1);
    const oldReplicaSet = items(first, 'replicasets.yaml').find((rs) =>
      gone[0]?.startsWith(`${String(meta(rs).name)}-`),
    );
    expect((oldReplicaSet?.spec as Json | undefined)?.replicas).toBe(0);
  });

  it('marks one Deployment as Helm-managed, one as Argo CD-managed, the rest as kubectl-applied', () => {
    const deployments = items(first, 'deployments.yaml');
    const annotations = (d: Json): Json => (meta(d).annotations ?? {}) as Json;
    const helm = deployments.filter((d) => annotations(d)['meta.helm.sh/release-name'] === 'cart');
    const argo = deployments.filter(
      (d) => annotations(d)['argocd.argoproj.io/tracking-id'] !== undefined,
    );
    const kubectl = deployments.filter(
      (d) =>
        annotations(d)['kubectl.kubernetes.io/last-applied-configuration'] !== undefined &&
        annotations(d)['argocd.argoproj.io/tracking-id'] === undefined,
    );
    expect(helm.map((d) => meta(d).name)).toEqual(['redis-cart']);
    expect(argo.map((d) => meta(d).name)).toEqual(['adservice']);
    expect(kubectl.length).toBe(deployments.length - 2);
  });
});
