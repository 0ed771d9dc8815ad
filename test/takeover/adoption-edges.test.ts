// Takeover edge cases found against the real API server: each object is made by hand as a user
// or a controller would make it, adopted through the live source, then checked the way Argo CD
// would use the manifest (server-side apply with its field manager) or Git would recreate it.
import { describe, expect, it } from 'vitest';
import { createTestNamespace } from '../support/cluster.js';
import { applyAsArgoCd, create, kubectl, manifestOf, plan, readLive } from './live-support.js';
import type { Json } from './live-support.js';

const statefulSet = (ns: string, name: string): Json => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name, namespace: ns },
  spec: {
    serviceName: name,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'db', image: 'postgres:16' }] },
    },
  },
});

describe('takeover edge cases in a real API server', () => {
  it('keeps clusterIP None: a headless Service recreated from Git is still headless', async () => {
    const ns = await createTestNamespace('headless');
    create([
      statefulSet(ns, 'db'),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'db', namespace: ns },
        spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] },
      },
    ]);
    const adopted = plan(await readLive([ns]));
    const service = manifestOf(adopted, 'Service', 'db');
    expect(service.spec).toEqual({
      clusterIP: 'None',
      selector: { app: 'db' },
      ports: [{ port: 5432 }],
    });

    kubectl(['delete', '-n', ns, 'service/db']);
    applyAsArgoCd([service]);
    const recreated = JSON.parse(kubectl(['get', '-n', ns, 'service/db', '-o', 'json'])) as {
      spec: Json;
    };
    expect(recreated.spec.clusterIP).toBe('None');
  });
});
