import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

import { KubeConfig } from '@kubernetes/client-node';

import { InputError, errorMessage } from '../../errors.js';

export interface KubeConfigOptions {
  /** A kubeconfig file. Without it: $KUBECONFIG, then ~/.kube/config, then in-cluster. */
  readonly kubeconfig?: string;
  /** A context of that kubeconfig; its current context when absent. */
  readonly context?: string;
}

const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * Loads the kubeconfig the way kubectl would pick it, but fails with an InputError naming the
 * file or context instead of client-node's silent fallback to http://localhost:8080.
 */
export function loadKubeConfig(options: KubeConfigOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  if (options.kubeconfig !== undefined) {
    loadFile(kc, options.kubeconfig);
  } else if (process.env.KUBECONFIG) {
    const files = process.env.KUBECONFIG.split(delimiter).filter((f) => f !== '');
    const missing = files.filter((f) => !existsSync(f));
    if (missing.length === files.length) {
      throw new InputError(`kubeconfig ${files.join(delimiter)} (from $KUBECONFIG) does not exist`);
    }
    wrapLoad(files.join(delimiter), () => kc.loadFromDefault());
  } else if (existsSync(join(homedir(), '.kube', 'config'))) {
    loadFile(kc, join(homedir(), '.kube', 'config'));
  } else if (process.env.KUBERNETES_SERVICE_HOST && existsSync(IN_CLUSTER_TOKEN)) {
    kc.loadFromCluster();
  } else {
    throw new InputError(
      'no kubeconfig: pass --kubeconfig, set $KUBECONFIG, create ~/.kube/config, or run in a cluster',
    );
  }
  selectContext(kc, options.context);
  return kc;
}

function loadFile(kc: KubeConfig, file: string): void {
  if (!existsSync(file)) throw new InputError(`kubeconfig ${file} does not exist`);
  wrapLoad(file, () => kc.loadFromFile(file));
}

function wrapLoad(file: string, load: () => void): void {
  try {
    load();
  } catch (e) {
    throw new InputError(`kubeconfig ${file} cannot be read: ${errorMessage(e)}`, { cause: e });
  }
}

function selectContext(kc: KubeConfig, context: string | undefined): void {
  if (context !== undefined) {
    if (kc.getContextObject(context) === null) {
      const known = kc.getContexts().map((c) => c.name);
      throw new InputError(
        `context "${context}" is not in the kubeconfig (known: ${known.join(', ') || 'none'})`,
      );
    }
    kc.setCurrentContext(context);
  }
  if (!kc.getCurrentContext() && kc.getContexts().length === 0) {
    throw new InputError('the kubeconfig has no context');
  }
  if (kc.getCurrentCluster() === null) {
    throw new InputError(
      `the kubeconfig's context "${kc.getCurrentContext()}" names no known cluster`,
    );
  }
}

/** The cluster name TARS reports: the kubeconfig context's cluster. */
export function clusterNameOf(kc: KubeConfig): string {
  const context = kc.getContextObject(kc.getCurrentContext());
  return context?.cluster ?? kc.getCurrentCluster()?.name ?? 'unknown';
}
