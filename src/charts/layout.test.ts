import { describe, expect, it } from 'vitest';
import { isMap, isSeq, parseDocument } from 'yaml';
import type { Node } from 'yaml';
import { InputError } from '../errors.js';
import type { DesiredState } from '../model/types.js';
import {
  changeOf,
  frontendHardening,
  smallModel,
  tarsNamespace,
  webRightsizing,
} from './fixtures/small-model.js';
import { clusterFolderName, GENERATED_HEADER, renderTree } from './layout.js';
import { CHART_ORDER } from './registry.js';

function parse(content: string): Record<string, unknown> {
  return parseDocument(content, { version: '1.1' }).toJS() as Record<string, unknown>;
}

function fileOf(tree: Map<string, string>, path: string): Record<string, unknown> {
  const content = tree.get(path);
  if (content === undefined) throw new Error(`no ${path} in ${[...tree.keys()].join(', ')}`);
  return parse(content);
}

function annotationsOf(object: Record<string, unknown>): Record<string, string> {
  return (object['metadata'] as { annotations?: Record<string, string> }).annotations ?? {};
}

/** True when every mapping of the YAML source lists its keys in sorted order. */
function mapKeysSorted(node: Node | null | undefined): boolean {
  if (isMap(node)) {
    const keys = node.items.map((pair) => String((pair.key as { value: unknown }).value));
    const sorted = [...keys].sort();
    return (
      keys.every((k, i) => k === sorted[i]) &&
      node.items.every((p) => mapKeysSorted(p.value as Node))
    );
  }
  if (isSeq(node)) return node.items.every((item) => mapKeysSorted(item as Node));
  return true;
}

/** The same model with every object's keys in reverse order. */
function reverseKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reverseKeys) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reverseKeys(v)]),
  ) as T;
}

describe('renderTree', () => {
  const tree = renderTree(smallModel());

  it('lays the small model out per cluster, namespace and scope, in sorted order', () => {
    expect([...tree.keys()]).toEqual([
      'prod-eu/_cluster/kustomization.yaml',
      'prod-eu/_cluster/priorityclass-batch-low.yaml',
      'prod-eu/kustomization.yaml',
      'prod-eu/shop/configmap-web-config.yaml',
      'prod-eu/shop/deployment-web.yaml',
      'prod-eu/shop/kustomization.yaml',
      'prod-eu/shop/patches/deployment-frontend.rightsizing.yaml',
      'prod-eu/shop/service-web.yaml',
    ]);
  });

  it('lists every folder in the cluster kustomization and every file in its folder', () => {
    expect(fileOf(tree, 'prod-eu/kustomization.yaml')).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['_cluster', 'shop'],
    });
    expect(fileOf(tree, 'prod-eu/_cluster/kustomization.yaml')['resources']).toEqual([
      'priorityclass-batch-low.yaml',
    ]);
    expect(fileOf(tree, 'prod-eu/shop/kustomization.yaml')).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: [
        'configmap-web-config.yaml',
        'deployment-web.yaml',
        'patches/deployment-frontend.rightsizing.yaml',
        'service-web.yaml',
      ],
    });
  });

  it('starts every file with the generated-by header and sorts every mapping', () => {
    for (const [path, content] of tree) {
      expect(content.split('\n')[0], path).toBe(GENERATED_HEADER);
      expect(mapKeysSorted(parseDocument(content).contents), path).toBe(true);
    }
  });

  it('renders adopted manifests whole, with sync waves and server-side apply', () => {
    const deployment = fileOf(tree, 'prod-eu/shop/deployment-web.yaml');
    expect(annotationsOf(deployment)).toEqual({
      'argocd.argoproj.io/sync-options': 'ServerSideApply=true',
      'argocd.argoproj.io/sync-wave': '1',
    });
    const spec = deployment['spec'] as {
      replicas: number;
      template: { spec: { volumes: unknown[] } };
    };
    expect(spec.replicas).toBe(2);
    // cdk8s would drop nothing meaningful: an empty emptyDir stays.
    expect(spec.template.spec.volumes).toEqual([{ name: 'cache', emptyDir: {} }]);
    expect(
      annotationsOf(fileOf(tree, 'prod-eu/shop/configmap-web-config.yaml'))[
        'argocd.argoproj.io/sync-wave'
      ],
    ).toBe('0');
  });

  it('keeps strings that YAML 1.1 would read as booleans or numbers quoted', () => {
    const content = tree.get('prod-eu/shop/configmap-web-config.yaml')!;
    expect(content).toContain('ENABLED: "yes"');
    expect(content).toContain('MODE: "0755"');
    expect(fileOf(tree, 'prod-eu/shop/configmap-web-config.yaml')['data']).toEqual({
      ENABLED: 'yes',
      MODE: '0755',
      'app.properties': 'a=1\nb=2\n',
    });
  });

  it('renders a patch of a Helm-managed object as a partial object that is never pruned', () => {
    const content = tree.get('prod-eu/shop/patches/deployment-frontend.rightsizing.yaml')!;
    expect(content).toContain('managed by Helm release "frontend"');
    const partial = parse(content);
    expect(annotationsOf(partial)).toEqual({
      'argocd.argoproj.io/sync-options': 'ServerSideApply=true,Prune=false,Delete=false',
      'argocd.argoproj.io/sync-wave': '1',
      'kustomize.toolkit.fluxcd.io/prune': 'disabled',
      'kustomize.toolkit.fluxcd.io/ssa': 'Merge',
    });
    // Only the fields TARS changes: no selector, no image, no replicas.
    expect(partial['spec']).toEqual({
      template: {
        spec: {
          containers: [
            { name: 'server', resources: { requests: { cpu: '200m', memory: '320Mi' } } },
          ],
        },
      },
    });
  });

  it('says what is true of an object it patches but does not hold, whoever applied it', () => {
    const managedBy = (tool: 'kubectl' | 'none'): DesiredState => {
      const model = smallModel();
      return {
        ...model,
        workloads: model.workloads.map((w) =>
          w.ref.name === 'frontend' ? { ...w, managedBy: { tool } } : w,
        ),
      };
    };
    const path = 'prod-eu/shop/patches/deployment-frontend.rightsizing.yaml';
    const kubectl = renderTree(managedBy('kubectl')).get(path)!;
    expect(kubectl).toContain(
      '# Partial object of Deployment shop/frontend, applied with kubectl, not adopted into this tree:',
    );
    expect(kubectl).not.toContain('another tool');
    expect(renderTree(managedBy('none')).get(path)).toContain(
      '# Partial object of Deployment shop/frontend, applied by no tool TARS recognises, not adopted into this tree:',
    );
    expect(renderTree(managedBy('kubectl')).get('prod-eu/shop/kustomization.yaml')).toContain(
      'partial objects of objects this tree does not hold',
    );
  });

  it('lists a patch of an adopted object under patches: with its target, explicit nulls kept', () => {
    const withPatch = renderTree(smallModel([webRightsizing]));
    expect(fileOf(withPatch, 'prod-eu/shop/kustomization.yaml')['patches']).toEqual([
      {
        path: 'patches/deployment-web.rightsizing.yaml',
        target: {
          group: 'apps',
          version: 'v1',
          kind: 'Deployment',
          namespace: 'shop',
          name: 'web',
        },
      },
    ]);
    const patch = fileOf(withPatch, 'prod-eu/shop/patches/deployment-web.rightsizing.yaml');
    expect(annotationsOf(patch)).toEqual({});
    expect(patch['spec']).toEqual({
      template: {
        spec: {
          containers: [
            { name: 'web', resources: { requests: { cpu: '150m' }, limits: { cpu: null } } },
          ],
        },
      },
    });
  });

  it('makes a second patch of an object managed elsewhere a kustomize patch of the first', () => {
    const twoPatches = renderTree(smallModel([frontendHardening]));
    const kustomization = fileOf(twoPatches, 'prod-eu/shop/kustomization.yaml');
    expect(kustomization['resources']).toContain('patches/deployment-frontend.rightsizing.yaml');
    expect(kustomization['patches']).toEqual([
      {
        path: 'patches/deployment-frontend.security.yaml',
        target: {
          group: 'apps',
          version: 'v1',
          kind: 'Deployment',
          namespace: 'shop',
          name: 'frontend',
        },
      },
    ]);
    // Registry order decides which one is the base, not the order of the model.
    expect(CHART_ORDER.indexOf('rightsizing')).toBeLessThan(CHART_ORDER.indexOf('security'));
  });

  it('puts bootstrap objects in bootstrap/ and keeps a namespace called bootstrap apart', () => {
    const inBootstrapNamespace = changeOf(
      'takeover',
      'adopt',
      'Adopt ConfigMap bootstrap/settings',
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings', namespace: 'bootstrap' },
      },
    );
    const withBootstrap = renderTree(smallModel([tarsNamespace, inBootstrapNamespace]));
    expect(fileOf(withBootstrap, 'prod-eu/kustomization.yaml')['resources']).toEqual([
      '_cluster',
      'bootstrap',
      'bootstrap.namespace',
      'shop',
    ]);
    const namespace = fileOf(withBootstrap, 'prod-eu/bootstrap/namespace-tars.yaml');
    expect(annotationsOf(namespace)).toEqual({
      'argocd.argoproj.io/sync-options': 'ServerSideApply=true,Prune=false',
      'argocd.argoproj.io/sync-wave': '-1',
      'kustomize.toolkit.fluxcd.io/prune': 'disabled',
    });
    expect(withBootstrap.has('prod-eu/bootstrap.namespace/configmap-settings.yaml')).toBe(true);
  });

  it('is byte-identical across runs and across the key order of the model', () => {
    const model = smallModel([webRightsizing, frontendHardening, tarsNamespace]);
    const first = renderTree(model);
    const again = renderTree(model);
    const reordered = renderTree(reverseKeys(model));
    expect([...again]).toEqual([...first]);
    expect([...reordered]).toEqual([...first]);
  });

  it('refuses two changes that would write the same file', () => {
    const twice: DesiredState = smallModel([{ ...smallModel().changes[0], id: 'takeover/again' }]);
    expect(() => renderTree(twice)).toThrow(InputError);
    expect(() => renderTree(twice)).toThrow(
      'changes "takeover/shop/deployment/web" and "takeover/again" would both write shop/deployment-web.yaml',
    );
  });

  it('keeps cluster folder names plain and visible', () => {
    expect(clusterFolderName('prod-eu')).toBe('prod-eu');
    expect(clusterFolderName('arn:aws:eks:eu-west-1:123:cluster/prod')).toBe(
      'arn-aws-eks-eu-west-1-123-cluster-prod',
    );
    expect(clusterFolderName('..')).toBe('-.');
    expect(clusterFolderName('.hidden')).toBe('-hidden');
  });
});
