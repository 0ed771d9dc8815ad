/**
 * Writes `examples/online-boutique/`, the bundled demo: Google's Online Boutique as a live cluster
 * would hold it (objects as `kubectl get -o yaml` prints them, one `kind: List` file per kind)
 * plus a week of usage history as OpenMetrics files. Deterministic: a fixed seed and fixed times,
 * so a re-run writes identical bytes.
 *
 *   node dist/examples/make-demo-snapshot.js [OUT_DIR]
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import type { KubeObject } from '../src/cluster/types.js';
import { projectRoot } from '../test/support/project-root.js';
import type { ContainerLimits } from './demo/history.js';
import { generateHistory } from './demo/history.js';
import {
  ApiServer,
  defaultServiceAccount,
  kubeRootCaConfigMap,
  namespaceObject,
  nodeObject,
  sortKeys,
  storageClassObject,
} from './demo/objects.js';
import { openMetricsText } from './demo/openmetrics.js';
import { planDeployments } from './demo/plan.js';
import { Prng } from './demo/prng.js';
import { CLUSTER_NAME, HISTORY_STEPS, NODES, SEED, STEP_SECONDS } from './demo/scenario.js';
import { googleVms, trafficShape } from './demo/traces.js';
import { deploymentObject, podObject, replicaSetObject, serviceObject } from './demo/workloads.js';

type Json = Record<string, unknown>;

export { projectRoot };

/** The trace's quiet hour lands at 03:00 UTC and its busy hours around midday, as for a European shop. */
const TRAFFIC_OFFSET_MINUTES = 20 * 60;

function readManifests(root: string): Json[] {
  const text = readFileSync(join(root, 'test/fixtures/apps/online-boutique.yaml'), 'utf8');
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as unknown)
    .filter((doc): doc is Json => doc !== null && typeof doc === 'object');
}

const containersOf = (deployment: Json): Json[] =>
  (((deployment.spec as Json).template as Json).spec as Json).containers as Json[];

function cpuCores(quantity: string): number {
  return quantity.endsWith('m') ? Number(quantity.slice(0, -1)) / 1000 : Number(quantity);
}

function bytes(quantity: string): number {
  const units: Record<string, number> = {
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    k: 1e3,
    M: 1e6,
    G: 1e9,
  };
  const match = /^([0-9.]+)([A-Za-z]*)$/.exec(quantity);
  if (match === null) throw new Error(`not a quantity: ${quantity}`);
  return Number(match[1]) * (units[match[2] ?? ''] ?? 1);
}

function limitsLookup(
  deployments: readonly Json[],
): (deployment: string, container: string) => ContainerLimits {
  return (deployment, container) => {
    const d = deployments.find((x) => (x.metadata as Json).name === deployment);
    const c = d === undefined ? undefined : containersOf(d).find((x) => x.name === container);
    const limits = (c?.resources as Json | undefined)?.limits as Record<string, string> | undefined;
    if (limits?.cpu === undefined || limits.memory === undefined) {
      throw new Error(`${deployment}/${container} has no cpu and memory limits`);
    }
    return { cpu: cpuCores(limits.cpu), memory: bytes(limits.memory) };
  };
}

function kubectlList(items: readonly KubeObject[]): string {
  const sorted = [...items].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  const list = { apiVersion: 'v1', items: sorted, kind: 'List', metadata: { resourceVersion: '' } };
  // YAML 1.1 quoting, as kubectl's go-yaml does: timestamps, "yes", "on" and the like stay strings.
  return stringify(sortKeys(list), { version: '1.1', indentSeq: false, lineWidth: 0 });
}

const README = `# Online Boutique: the bundled demo snapshot

Google's [Online Boutique](https://github.com/GoogleCloudPlatform/microservices-demo) (Apache-2.0,
Copyright 2018 Google LLC; manifests copied in \`test/fixtures/apps/online-boutique.yaml\`) as a live
cluster would hold it in namespace \`boutique\`, with a week of usage history. \`npm run demo\` plans it.

Generated, do not edit: \`npm run build && node dist/examples/make-demo-snapshot.js\` (source
\`examples/make-demo-snapshot.ts\`; fixed seed and times, so a re-run writes identical bytes; a test
checks this tree equals a fresh run).

- \`*.yaml\`: one \`kind: List\` per kind, as \`kubectl get -o yaml\` prints it; \`cluster.yaml\` names
  the cluster. \`redis-cart\` is Helm-managed (release \`cart\`), \`adservice\` Argo CD-managed
  (tracking id), the rest applied with kubectl. \`checkoutservice\` was rolled out on 2026-11-04: its
  previous pod appears in the history only.
- \`history/*.om\`: OpenMetrics with timestamps, one family per file, 5-minute steps from
  2026-11-01T00:00:00Z to 2026-11-07T23:55:00Z (each accepted by
  \`promtool tsdb create-blocks-from openmetrics\`). Traffic is shaped from the Twitter request trace
  and the Google cluster VM traces in \`test/fixtures/traces\` (see SOURCES.md there; Google cluster
  data is CC-BY). Most services use far less than they request; \`currencyservice\` runs above its
  CPU request and is throttled at peaks; \`cartservice\` leaks memory and is OOMKilled a few times.
`;

function buildTree(root: string): Map<string, string> {
  const manifests = readManifests(root);
  const deployments = manifests.filter((m) => m.kind === 'Deployment');
  const services = manifests.filter((m) => m.kind === 'Service');
  const plans = planDeployments(
    deployments.map((d) => ({
      name: String((d.metadata as Json).name),
      containers: containersOf(d).map((c) => String(c.name)),
    })),
    SEED + 1,
  );
  const traces = join(root, 'test/fixtures/traces');
  const history = generateHistory(
    plans.flatMap((p) => p.pods),
    limitsLookup(deployments),
    trafficShape(traces, HISTORY_STEPS, STEP_SECONDS / 60, TRAFFIC_OFFSET_MINUTES),
    googleVms(traces),
    SEED + 2,
  );

  const s = { api: new ApiServer(new Prng(SEED + 3)) };
  const files = new Map<string, string>();
  const namespace = namespaceObject(s);
  const serviceAccount = defaultServiceAccount(s);
  const configMap = kubeRootCaConfigMap(s);
  const storageClass = storageClassObject(s);
  let nextIp = 100;
  let nextNodePort = 30_000 + s.api.rng.int(100, 2700);
  const serviceObjects = services.map((m) =>
    serviceObject(s, m, {
      clusterIP: `172.20.${s.api.rng.int(0, 255)}.${(nextIp += s.api.rng.int(1, 60)) % 254}`,
      nodePort: () => (nextNodePort += 1),
      loadBalancerHostname: `a${s.api.rng.hex(32)}-${s.api.rng.int(100_000_000, 999_999_999)}.eu-west-1.elb.amazonaws.com`,
    }),
  );
  const deploymentObjects: KubeObject[] = [];
  const replicaSets: KubeObject[] = [];
  const pods: KubeObject[] = [];
  for (const plan of plans) {
    const manifest = deployments.find((d) => (d.metadata as Json).name === plan.name);
    if (manifest === undefined) throw new Error(`no manifest for ${plan.name}`);
    const deployment = deploymentObject(s, manifest, plan);
    deploymentObjects.push(deployment);
    for (const rsPlan of plan.replicaSets) {
      const rs = replicaSetObject(s, deployment, rsPlan);
      replicaSets.push(rs);
      for (const pod of plan.pods) {
        if (pod.replicaSet === rsPlan && pod.deleted === undefined)
          pods.push(podObject(s, rs, pod, history.lives));
      }
    }
  }
  // Nodes last: their heartbeats make them the most recently written objects.
  const nodes = NODES.map((n) => nodeObject(s, n));

  files.set(
    'cluster.yaml',
    stringify({
      apiVersion: 'tars.dev/v1alpha1',
      kind: 'ClusterInfo',
      name: CLUSTER_NAME,
      apiGroups: [],
      skipped: [],
    }),
  );
  files.set('namespaces.yaml', kubectlList([namespace]));
  files.set('nodes.yaml', kubectlList(nodes));
  files.set('storageclasses.yaml', kubectlList([storageClass]));
  files.set('serviceaccounts.yaml', kubectlList([serviceAccount]));
  files.set('configmaps.yaml', kubectlList([configMap]));
  files.set('services.yaml', kubectlList(serviceObjects));
  files.set('deployments.yaml', kubectlList(deploymentObjects));
  files.set('replicasets.yaml', kubectlList(replicaSets));
  files.set('pods.yaml', kubectlList(pods));
  for (const family of history.families)
    files.set(`history/${family.sampleName}.om`, openMetricsText(family));
  files.set('README.md', README);
  return files;
}

/** Writes the demo tree to `outDir`, replacing what was there, via a sibling temporary folder. */
export function generateDemo(outDir: string, root = projectRoot()): void {
  const files = buildTree(root);
  const target = resolve(outDir);
  const staging = `${target}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  for (const [path, text] of files) {
    const file = join(staging, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
}

const isMain =
  process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const root = projectRoot();
  const out = process.argv[2] ?? join(root, 'examples/online-boutique');
  generateDemo(out, root);
  process.stderr.write(`wrote ${out}\n`);
}
