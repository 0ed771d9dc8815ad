/** The metrics.k8s.io source against the real test API server, which serves no metrics API. */
import { describe, expect, it } from 'vitest';
import { NotFoundError, SourceUnreachableError } from '../../src/errors.js';
import { MetricsApiHistorySource } from '../../src/metrics/metrics-api/source.js';
import { kubeConfigFrom, testKubeconfigs } from '../support/cluster.js';

const query = { start: 0, end: 0, stepSeconds: 60 };

describe('MetricsApiHistorySource', () => {
  it('says metrics.k8s.io is not served when there is no metrics-server (404)', async () => {
    const source = MetricsApiHistorySource.fromKubeConfig(
      kubeConfigFrom(testKubeconfigs().readonly),
    );
    for (const namespaces of [[], ['default']]) {
      const error = await source.fetch({ ...query, namespaces }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as Error).message).toMatch(
        /metrics\.k8s\.io\/v1beta1 is not served by https:\/\/.* \(is metrics-server installed\?\)/,
      );
    }
  });

  it('reports an API server that cannot be reached as unreachable', async () => {
    const kc = kubeConfigFrom(testKubeconfigs().readonly);
    const cluster = kc.getCurrentCluster()!;
    kc.clusters = kc.clusters.map((c) =>
      c.name === cluster.name ? { ...c, server: 'https://127.0.0.1:1' } : c,
    );
    const error = await MetricsApiHistorySource.fromKubeConfig(kc)
      .fetch({ ...query, namespaces: [] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(SourceUnreachableError);
    expect((error as Error).message).toContain('https://127.0.0.1:1');
  });
});
