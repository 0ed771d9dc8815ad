import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { InputError } from '../../errors.js';
import { clusterNameOf, loadKubeConfig } from './kubeconfig.js';

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
  - name: prod-eu
    cluster: { server: https://10.0.0.1:6443 }
  - name: staging
    cluster: { server: https://10.0.0.2:6443 }
users:
  - name: u
    user: { token: t }
contexts:
  - name: prod
    context: { cluster: prod-eu, user: u }
  - name: stage
    context: { cluster: staging, user: u }
current-context: prod
`;

function kubeconfigFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tars-kc-')), 'config');
  writeFileSync(path, KUBECONFIG);
  return path;
}

describe('loadKubeConfig', () => {
  it('names the missing file in an InputError', () => {
    const missing = join(tmpdir(), 'no-such-dir-tars', 'kubeconfig');
    expect(() => loadKubeConfig({ kubeconfig: missing })).toThrowError(InputError);
    expect(() => loadKubeConfig({ kubeconfig: missing })).toThrowError(missing);
  });

  it("takes the cluster name from the context's cluster", () => {
    const path = kubeconfigFile();
    expect(clusterNameOf(loadKubeConfig({ kubeconfig: path }))).toBe('prod-eu');
    expect(clusterNameOf(loadKubeConfig({ kubeconfig: path, context: 'stage' }))).toBe('staging');
  });

  it('rejects an unknown context and lists the known ones', () => {
    expect(() => loadKubeConfig({ kubeconfig: kubeconfigFile(), context: 'dev' })).toThrowError(
      /context "dev" is not in the kubeconfig \(known: prod, stage\)/,
    );
  });

  it('rejects a file that is not a kubeconfig', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tars-kc-')), 'config');
    writeFileSync(path, 'clusters: [\n');
    expect(() => loadKubeConfig({ kubeconfig: path })).toThrowError(InputError);
  });
});
