import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { smallModel, tarsNamespace, webRightsizing } from '../charts/fixtures/small-model.js';
import {
  MODEL_API_VERSION,
  type Change,
  type DesiredState,
  type WorkloadModel,
} from '../model/types.js';
import { apiHpa, apiPatch, costModel, dbPatch } from './fixtures/cost-model.js';
import {
  buildPullRequestText,
  escapeMarkdown,
  MAX_BODY_LENGTH,
  planHash,
  readPlanHash,
} from './pr-body.js';
import { previousValues } from './rollback.js';

function rightsizing(name: string, cpu: string, memory: string, score: number): Change {
  return {
    id: `rightsizing/shop/${name}`,
    concern: 'rightsizing',
    action: 'patch',
    target: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name },
    manifest: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'shop' },
      spec: {
        template: {
          spec: { containers: [{ name: 'app', resources: { requests: { cpu, memory } } }] },
        },
      },
    },
    summary: `lower requests of ${name}`,
    evidence: { window: '7d', samples: 2016, percentile: 95, confidence: 'high' },
    risk: { score, reasons: ['2 replicas', 'PDB present'] },
  };
}

function model(changes: Change[], names = ['cart', 'checkout']): DesiredState {
  return {
    apiVersion: MODEL_API_VERSION,
    kind: 'DesiredState',
    cluster: { name: 'prod-eu', source: 'snapshot', apiGroups: [] },
    inputs: { objects: 10, skipped: [], usageHistory: { available: true, source: 'prometheus' } },
    workloads: names.map((name) => ({
      ref: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name },
      managedBy: { tool: 'helm', name: 'shop' },
      replicas: 2,
      pods: [],
      containers: [
        {
          name: 'app',
          image: 'shop:1',
          init: false,
          requests: { cpu: '500m', memory: '512Mi' },
          limits: {},
        },
      ],
    })),
    changes,
    findings: [],
    notes: [],
    rollout: { phase: 3, wave: 2 },
  };
}

describe('buildPullRequestText', () => {
  const changes = [
    rightsizing('checkout', '200m', '256Mi', 0.5),
    rightsizing('cart', '100m', '512Mi', 0.1),
  ];
  const text = buildPullRequestText({
    model: model(changes),
    concern: 'rightsizing',
    monthlySavings: new Map([
      ['rightsizing/shop/cart', 12.5],
      ['rightsizing/shop/checkout', 7.25],
    ]),
  });

  it('opens with a summary line carrying the total monthly savings', () => {
    expect(text.body.split('\n')[0]).toBe(
      'TARS proposes 2 changes to 2 objects in cluster **prod-eu** (right-sizing), saving an estimated **19.75 USD per month** (the price of requested capacity, not a bill).',
    );
    expect(text.title).toBe('tars(prod-eu): right-sizing for 2 objects');
  });

  it('tabulates each workload before → after with evidence, savings and risk, lowest risk first', () => {
    const rows = text.body.split('\n').filter((l) => l.startsWith('| Deployment'));
    expect(rows).toEqual([
      '| Deployment shop/cart | Helm release "shop"; the lasting change belongs in the release\'s values | lower requests of cart | app: cpu request 500m → 100m | 7d window, 2016 samples, p95, high confidence | 12.50 USD | low (0.10): 2 replicas; PDB present |',
      '| Deployment shop/checkout | Helm release "shop"; the lasting change belongs in the release\'s values | lower requests of checkout | app: cpu request 500m → 200m<br>app: memory request 512Mi → 256Mi | 7d window, 2016 samples, p95, high confidence | 7.25 USD | medium (0.50): 2 replicas; PDB present |',
    ]);
  });

  it('states the phase and wave, how to roll back, and ends with the plan-hash marker', () => {
    expect(text.body).toContain('Phase 3 (gradual migration), wave 2.');
    expect(text.body).toContain('Revert this pull request');
    expect(text.body.trimEnd().endsWith(`<!-- tars:plan-hash=${text.planHash} -->`)).toBe(true);
    expect(readPlanHash(text.body)).toBe(text.planHash);
    expect(text.planHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is deterministic and hashes the plan, not the order of changes', () => {
    const again = buildPullRequestText({
      model: model([...changes].reverse()),
      concern: 'rightsizing',
    });
    expect(again.planHash).toBe(text.planHash);
    expect(planHash('prod-eu', [changes[0]])).not.toBe(text.planHash);
    const other = buildPullRequestText({
      model: model([rightsizing('cart', '90m', '512Mi', 0.1)]),
      concern: 'rightsizing',
    });
    expect(other.planHash).not.toBe(text.planHash);
  });

  it('only shows changes of the requested concern', () => {
    const hpa: Change = {
      id: 'scaling/shop/cart',
      concern: 'scaling',
      action: 'create',
      target: {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        namespace: 'shop',
        name: 'cart',
      },
      manifest: {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'cart' },
      },
      summary: 'scale cart on CPU',
    };
    const mixed = model([...changes, hpa]);
    const scaling = buildPullRequestText({ model: mixed, concern: 'scaling' });
    expect(scaling.body).toContain('### Scaling');
    expect(scaling.body).toContain('none → new HorizontalPodAutoscaler cart');
    expect(scaling.body).not.toContain('Right-sizing');
    expect(scaling.body.split('\n')[0]).not.toContain('saving');
  });

  it('summarises rows beyond the limit and stays under the platform body limit', () => {
    const many = Array.from({ length: 500 }, (_, i) =>
      rightsizing(`w${i}-${'x'.repeat(200)}`, '100m', '128Mi', 0.2),
    );
    const big = buildPullRequestText({
      model: model(many, []),
      concern: 'rightsizing',
      maxRows: 1000,
    });
    expect(big.body.length).toBeLessThanOrEqual(MAX_BODY_LENGTH);
    expect(readPlanHash(big.body)).toBe(big.planHash);
    // Rows give way, not the rollout and rollback sections.
    expect(big.body).toMatch(/…and \d+ more changes of this kind/);
    expect(big.body).toContain('Phase 3 (gradual migration), wave 2.');
    expect(big.body).toContain('### How to roll back');
    const capped = buildPullRequestText({
      model: model(many, []),
      concern: 'rightsizing',
      maxRows: 3,
    });
    expect(capped.body).toContain('…and 497 more changes of this kind');
  });
});

describe('escapeMarkdown', () => {
  it('keeps hostile cluster strings inside their table cell', () => {
    const hostile =
      'evil|name`code`<img src=x onerror=alert(1)>\n# heading\r\n[click](https://x.test) @team *b* _i_ ~~s~~ #12';
    const escaped = escapeMarkdown(hostile);
    expect(escaped).not.toMatch(/\n|\r/);
    expect(escaped).not.toMatch(/(?<!\\)\|/);
    expect(escaped).not.toMatch(/(?<!\\)`/);
    expect(escaped).not.toMatch(/<|>/);
    expect(escaped).not.toMatch(/(?<!\\)\[/);
    expect(escaped).not.toContain('@');
    expect(escaped).toBe(
      'evil\\|name\\`code\\`&lt;img src=x onerror=alert(1)&gt; \\# heading \\[click\\](https\\://x.test) &#64;team \\*b\\* \\_i\\_ \\~\\~s\\~\\~ \\#12',
    );
  });

  it('escapes names, namespaces and summaries in the body', () => {
    const change = rightsizing('cart', '100m', '512Mi', 0.1);
    const hostileChange: Change = {
      ...change,
      target: { ...change.target, namespace: 'ns|x', name: 'a`b' },
      summary: 'label app=<b>x</b>\n| injected | row |',
    };
    const { body } = buildPullRequestText({
      model: model([hostileChange], []),
      concern: 'rightsizing',
    });
    const row = body.split('\n').find((l) => l.startsWith('| Deployment'));
    expect(row).toBeDefined();
    // Seven cells: the row's unescaped pipes are exactly the eight borders.
    expect(row!.match(/(?<!\\)\|/g)).toHaveLength(8);
    expect(body).not.toContain('<b>');
    expect(body).not.toContain('\n| injected');
  });
});

describe('the cost table of a right-sizing pull request', () => {
  // Figures of the fixture, by hand (see src/gitops/fixtures/cost-model.ts):
  //   Deployment/shop/api   49.64 → 11.68, saving 37.96
  //   StatefulSet/shop/api  13.87 →  9.49, saving  4.38
  //   this wave (both)      49.64 + 13.87 = 63.51 → 11.68 + 9.49 = 21.17, saving 42.34
  //   cluster               75.92 → 33.58, saving 42.34; nodes 3 → 1 (today's requests: 2)
  const PRICES =
    "Prices: 0.03 USD per vCPU-hour and 0.004 USD per GiB-hour of memory, 730 hours a month, from the policy's `cost` section. " +
    'Every figure is the price of requested capacity (requests × replicas × hours × price), not a bill: the bill changes when nodes are added, removed or resized.';
  const costTableOf = (body: string): string[] => {
    const lines = body.split('\n');
    const start = lines.indexOf('### Cost');
    return start < 0 ? [] : lines.slice(start, lines.indexOf('### Rollout'));
  };

  it('lists the wave by kind/namespace/name, sorted, then the cluster today and proposed', () => {
    const model = costModel();
    const text = buildPullRequestText({ model, concern: 'rightsizing', currency: 'USD' });
    expect(costTableOf(text.body)).toEqual([
      '### Cost',
      '',
      '| Workload | Today / month | Proposed / month | Saving / month |',
      '| --- | ---: | ---: | ---: |',
      '| Deployment/shop/api | 49.64 USD | 11.68 USD | 37.96 USD |',
      '| StatefulSet/shop/api | 13.87 USD | 9.49 USD | 4.38 USD |',
      '| This wave | 63.51 USD | 21.17 USD | 42.34 USD |',
      '',
      '| Cluster | Today | Proposed | Saving |',
      '| --- | ---: | ---: | ---: |',
      '| Cost / month | 75.92 USD | 33.58 USD | 42.34 USD |',
      '| Nodes, bin-packed | 2 | 1 | 1 |',
      '',
      "The cluster's proposed figures are the whole right-sizing plan (every wave). Nodes: first-fit decreasing of the requests onto the cluster's node shapes; the cluster runs 3 nodes today.",
      '',
      PRICES,
      '',
    ]);
  });

  const clusterPart = (nodes: NonNullable<ReturnType<typeof costModel>['cost']>['nodes']) => {
    const model = costModel();
    const text = buildPullRequestText({
      model: { ...model, cost: { ...model.cost!, nodes } },
      concern: 'rightsizing',
      currency: 'USD',
    });
    const lines = costTableOf(text.body);
    return lines.slice(lines.indexOf('| Cluster | Today | Proposed | Saving |'));
  };

  it('says there is no node count when the snapshot has no Node objects, not 0 nodes', () => {
    expect(
      clusterPart({
        today: 0,
        packedToday: 0,
        packedProposed: 0,
        unplaceable: 4,
        unplaceableToday: 4,
      }),
    ).toEqual([
      '| Cluster | Today | Proposed | Saving |',
      '| --- | ---: | ---: | ---: |',
      '| Cost / month | 75.92 USD | 33.58 USD | 42.34 USD |',
      '',
      "The cluster's proposed figures are the whole right-sizing plan (every wave). Nodes: none in the snapshot, so no node count.",
      '',
      PRICES,
      '',
    ]);
  });

  it("names the pods today's count leaves out, so a count growing with the proposal is explained", () => {
    const lines = clusterPart({
      today: 3,
      packedToday: 1,
      packedProposed: 2,
      unplaceable: 0,
      unplaceableToday: 1,
    });
    expect(lines.slice(3, 5)).toEqual(['| Nodes, bin-packed | 1 | 2 | -1 |', '']);
    expect(lines[5]).toMatch(
      /the cluster runs 3 nodes today\. 1 pod of today's requests fits no node shape and is left out of the count\.$/,
    );
    expect(
      clusterPart({
        today: 3,
        packedToday: 1,
        packedProposed: 1,
        unplaceable: 2,
        unplaceableToday: 3,
      })[5],
    ).toMatch(
      /today\. 3 pods of today's requests and 2 of the proposal fit no node shape and are left out of the counts\.$/,
    );
  });

  it('says the node counts include the load of namespaces the policy does not analyse', () => {
    const lines = clusterPart({
      today: 3,
      packedToday: 2,
      packedProposed: 2,
      unplaceable: 0,
      notAnalysed: { pods: 12, daemonSets: 1 },
    });
    expect(lines[5]).toMatch(
      /the cluster runs 3 nodes today\. Both counts include 12 pods and 1 DaemonSet the policy does not analyse, as they run today\.$/,
    );
  });

  it('shows only the workloads of the wave, whatever the order of the changes', () => {
    const model = costModel();
    const wave = buildPullRequestText({ model, concern: 'rightsizing', changes: [dbPatch] });
    const rows = costTableOf(wave.body).filter((l) => /^\| (Deployment|StatefulSet|This)/.test(l));
    expect(rows).toEqual([
      '| StatefulSet/shop/api | 13.87 USD | 9.49 USD | 4.38 USD |',
      '| This wave | 13.87 USD | 9.49 USD | 4.38 USD |',
    ]);
    const reordered = buildPullRequestText({
      model,
      concern: 'rightsizing',
      changes: [dbPatch, apiHpa, apiPatch],
    });
    expect(reordered.body).toBe(buildPullRequestText({ model, concern: 'rightsizing' }).body);
  });

  it('has no cost table without a cost report or for another concern', () => {
    const withoutCost = costModel({ cost: false });
    expect(
      costTableOf(buildPullRequestText({ model: withoutCost, concern: 'rightsizing' }).body),
    ).toEqual([]);
    const takeover = {
      ...costModel(),
      changes: [{ ...apiPatch, id: 'takeover/x', concern: 'takeover' as const }],
    };
    expect(
      costTableOf(buildPullRequestText({ model: takeover, concern: 'takeover' }).body),
    ).toEqual([]);
  });
});

/** The files a body gives to commit, path → YAML, from its fenced blocks. */
function filesOf(body: string): Map<string, Record<string, unknown>> {
  const files = new Map<string, Record<string, unknown>>();
  for (const m of body.matchAll(/^(\S+\.yaml):\n\n(`{3,})yaml\n([\s\S]*?)\n\2$/gm))
    files.set(m[1], parseYaml(m[3], { version: '1.1' }) as Record<string, unknown>);
  return files;
}

describe('how to roll back a pull request', () => {
  const sectionOf = (body: string): string =>
    body.slice(body.indexOf('### How to roll back'), body.indexOf('<sub>'));

  it('says which changes a revert restores and which partial objects it leaves, with their previous values', () => {
    // Rightsizing of the adopted `web` (a patch of its manifest) and of Helm's `frontend` (a
    // partial object: 500m/512Mi → 200m/320Mi).
    const text = buildPullRequestText({
      model: smallModel([webRightsizing]),
      concern: 'rightsizing',
    });
    const section = sectionOf(text.body);
    expect(section).not.toContain('reconciles the previous manifests');
    expect(section).toContain('**Restored by the revert**: Deployment shop/web');
    expect(section).toContain('**Not restored by the revert**: Deployment shop/frontend');
    expect(section).toMatch(/Prune=false/);
    // Both in one revert, or the two would no longer match.
    expect(section).toMatch(/same revert/);
    const files = filesOf(section);
    expect([...files.keys()]).toEqual([
      'prod-eu/shop/patches/deployment-frontend.rightsizing.yaml',
    ]);
    const previous = files.get('prod-eu/shop/patches/deployment-frontend.rightsizing.yaml')!;
    expect(previous).toMatchObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'frontend',
        namespace: 'shop',
        annotations: {
          'argocd.argoproj.io/sync-options': 'ServerSideApply=true,Prune=false,Delete=false',
        },
      },
    });
    expect(previous['spec']).toEqual({
      template: {
        spec: {
          containers: [
            { name: 'server', resources: { requests: { cpu: '500m', memory: '512Mi' } } },
          ],
        },
      },
    });
  });

  it('says when it does not know the values before, as for an HPA target', () => {
    const text = buildPullRequestText({ model: costModel(), concern: 'rightsizing' });
    const section = sectionOf(text.body);
    expect(section).toContain('**Not restored by the revert**');
    expect(section).toContain(
      'HorizontalPodAutoscaler shop/api: TARS does not record its values before this change',
    );
    expect([...filesOf(section).keys()]).toEqual([
      'prod-eu/shop/patches/deployment-api.rightsizing.yaml',
      'prod-eu/shop/patches/statefulset-api.rightsizing.yaml',
    ]);
  });

  it('has only the revert for a wave of patches of manifests in the tree', () => {
    const model = smallModel([webRightsizing]);
    const text = buildPullRequestText({ model, concern: 'rightsizing', changes: [webRightsizing] });
    const section = sectionOf(text.body);
    expect(section).toContain('**Restored by the revert**: Deployment shop/web');
    expect(section).not.toContain('Not restored');
    expect(filesOf(section).size).toBe(0);
  });
});

describe('previousValues', () => {
  const workload = smallModel().workloads.find((w) => w.ref.name === 'web')!;
  const patch = (spec: Record<string, unknown>): Change => ({
    ...webRightsizing,
    manifest: { ...webRightsizing.manifest, spec },
  });

  it('puts back the live requests, limits and replicas, and leaves out what had no value', () => {
    const change = patch({
      replicas: 3,
      template: {
        spec: {
          containers: [
            {
              name: 'web',
              resources: {
                requests: { cpu: '100m', 'ephemeral-storage': '1Gi' },
                limits: { cpu: null },
              },
            },
          ],
        },
      },
    });
    expect(previousValues(change, workload)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        replicas: 2,
        template: {
          spec: {
            containers: [
              { name: 'web', resources: { requests: { cpu: '250m' }, limits: { cpu: '1' } } },
            ],
          },
        },
      },
    });
  });

  it('knows no values before for fields the model does not record, or another object', () => {
    const hardening = patch({ template: { spec: { securityContext: { runAsNonRoot: true } } } });
    expect(previousValues(hardening, workload)).toBeUndefined();
    const otherContainer = patch({
      template: {
        spec: { containers: [{ name: 'sidecar', resources: { requests: { cpu: '1' } } }] },
      },
    });
    expect(previousValues(otherContainer, workload)).toBeUndefined();
    expect(previousValues(apiHpa, workload)).toBeUndefined();
  });

  it("takes the values from before that the change records, for objects the model does not hold (an HPA's target)", () => {
    const previous = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'api', namespace: 'shop' },
      spec: {
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
          },
        ],
      },
    };
    expect(previousValues({ ...apiHpa, previous }, undefined)).toEqual(previous);
  });
});

describe('how to roll back adopted and created objects', () => {
  const sectionOf = (body: string): string =>
    body.slice(body.indexOf('### How to roll back'), body.indexOf('<sub>'));

  it('warns that a revert of an adoption deletes the live objects, and how to keep them', () => {
    const section = sectionOf(
      buildPullRequestText({ model: smallModel(), concern: 'takeover' }).body,
    );
    expect(section).not.toContain('applies the tree as it was before');
    expect(section).toContain(
      '**Deleted from the cluster by the revert**: ConfigMap shop/web-config, Deployment shop/web, PriorityClass batch-low, Service shop/web.',
    );
    expect(section).toContain('`ServerSideApply=true,Prune=false`');
    expect(section).toContain('`kustomize.toolkit.fluxcd.io/prune: disabled`');
  });

  it('says a revert deletes what the pull request creates, except kinds that are never pruned', () => {
    const pdb: Change = {
      id: 'resilience/shop/PodDisruptionBudget/web',
      concern: 'resilience',
      action: 'create',
      target: {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        namespace: 'shop',
        name: 'web',
      },
      manifest: {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: 'web', namespace: 'shop' },
        spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } },
      },
      summary: 'PodDisruptionBudget for web',
    };
    const model = smallModel([tarsNamespace, pdb]);
    const resilience = sectionOf(buildPullRequestText({ model, concern: 'resilience' }).body);
    expect(resilience).toContain(
      '**Deleted by the revert**: PodDisruptionBudget shop/web. This pull request creates them',
    );
    const bootstrap = sectionOf(buildPullRequestText({ model, concern: 'bootstrap' }).body);
    expect(bootstrap).toContain('**Left in the cluster by the revert**: Namespace tars.');
    expect(bootstrap).not.toContain('**Deleted');
  });
});

describe('what the money figures of a right-sizing pull request are', () => {
  const headline = (savings: number): string =>
    buildPullRequestText({
      model: costModel(),
      concern: 'rightsizing',
      monthlySavings: new Map([[apiPatch.id, savings]]),
    }).body.split('\n')[0];
  const costText = (model: DesiredState): string => {
    const { body } = buildPullRequestText({ model, concern: 'rightsizing' });
    return body.slice(body.indexOf('### Cost'), body.indexOf('### Rollout'));
  };

  it('calls a cost increase a cost increase, and the figure the price of requested capacity', () => {
    expect(headline(-1.56)).toMatch(
      /, raising cost by an estimated \*\*1\.56 USD per month\*\* \(the price of requested capacity, not a bill\)\.$/,
    );
    expect(headline(-1.56)).not.toContain('-1.56');
    expect(headline(4.1)).toMatch(
      /, saving an estimated \*\*4\.10 USD per month\*\* \(the price of requested capacity, not a bill\)\.$/,
    );
  });

  it('states the prices used and where they come from', () => {
    const text = costText(costModel());
    expect(text).toContain(
      "Prices: 0.03 USD per vCPU-hour and 0.004 USD per GiB-hour of memory, 730 hours a month, from the policy's `cost` section.",
    );
    expect(text).toMatch(/requested capacity \(requests × replicas × hours × price\), not a bill/);
    const model = costModel();
    const defaults = {
      ...model,
      cost: {
        ...model.cost!,
        prices: { ...model.cost!.prices, vcpuHour: 0.021811, memoryGiBHour: 0.002923 },
      },
    };
    expect(costText(defaults)).toContain(
      "from the policy's `cost` section, here TARS's built-in defaults: public on-demand list prices of Google Cloud Compute Engine E2 in us-central1.",
    );
  });

  it('says when no node is freed, so the saving is not yet money on the bill', () => {
    const model = costModel();
    const withNodes = (packedToday: number, packedProposed: number): DesiredState => ({
      ...model,
      cost: {
        ...model.cost!,
        nodes: { today: 3, packedToday, packedProposed, unplaceable: 0 },
      },
    });
    expect(costText(withNodes(1, 1))).toContain(
      "The whole right-sizing plan frees no node: bin-packed, it needs 1 node, as today's requests do. Its saving is requested capacity, not yet money on the bill.",
    );
    expect(costText(withNodes(2, 3))).toContain(
      "The whole right-sizing plan frees no node: bin-packed, it needs 3 nodes where today's requests need 2.",
    );
    expect(costText(withNodes(2, 1))).not.toContain('frees no node');
  });
});

describe('who owns what a pull request changes', () => {
  const rowOf = (body: string, workload: string): string | undefined =>
    body.split('\n').find((l) => l.startsWith(`| ${workload} |`));
  const withManager = (
    model: DesiredState,
    managedBy: WorkloadModel['managedBy'],
  ): DesiredState => ({
    ...model,
    workloads: model.workloads.map((w) => ({ ...w, managedBy })),
  });

  it("names the owner of each object, and where the lasting change belongs when it is another tool's", () => {
    const { body } = buildPullRequestText({
      model: smallModel([webRightsizing]),
      concern: 'rightsizing',
    });
    expect(body).toContain('| Workload | Owner | Change | Before → after |');
    expect(rowOf(body, 'Deployment shop/web')).toMatch(/^\| Deployment shop\/web \| this tree \| /);
    expect(rowOf(body, 'Deployment shop/frontend')).toMatch(
      /^\| Deployment shop\/frontend \| Helm release "frontend"; the lasting change belongs in the release's values \| /,
    );

    const argo = buildPullRequestText({
      model: withManager(costModel(), { tool: 'argocd', name: 'shop-prod' }),
      concern: 'rightsizing',
    }).body;
    expect(rowOf(argo, 'Deployment shop/api')).toContain(
      '| Argo CD application "shop-prod"; the lasting change belongs in that application\'s source |',
    );
    // The HPA is no workload: the model records no manager for it.
    expect(rowOf(argo, 'HorizontalPodAutoscaler shop/api')).toContain(
      '| not in this tree; TARS has no record of what manages it |',
    );
    const flux = buildPullRequestText({
      model: withManager(costModel(), { tool: 'flux', name: 'apps' }),
      concern: 'rightsizing',
    }).body;
    expect(rowOf(flux, 'Deployment shop/api')).toContain(
      '| Flux Kustomization or HelmRelease "apps"; the lasting change belongs in its source |',
    );
  });

  it('says a kubectl-applied workload is not adopted yet, not that another tool manages it', () => {
    const { body } = buildPullRequestText({
      model: withManager(costModel(), { tool: 'kubectl' }),
      concern: 'rightsizing',
    });
    expect(rowOf(body, 'Deployment shop/api')).toContain(
      '| applied with kubectl, not adopted into this tree |',
    );
    expect(body).not.toContain('lasting change');
  });

  it('escapes the manager name, which comes from the cluster', () => {
    const { body } = buildPullRequestText({
      model: withManager(costModel(), { tool: 'helm', name: 'x|y @team' }),
      concern: 'rightsizing',
    });
    expect(rowOf(body, 'Deployment shop/api')).toContain('Helm release "x\\|y &#64;team"');
  });
});
