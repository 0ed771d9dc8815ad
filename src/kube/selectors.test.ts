import { describe, expect, it } from 'vitest';
import { deployment, container } from '../../test/support/objects.js';
import { labelSelectorMatches, podTemplateLabels, servicesSelecting } from './selectors.js';

const labels = { app: 'web', tier: 'front' };

describe('labelSelectorMatches', () => {
  it.each([
    [{ matchLabels: { app: 'web' } }, true],
    [{ matchLabels: { app: 'db' } }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'edge'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, false],
    [{ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, true],
    [
      { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'zone', operator: 'Exists' }] },
      false,
    ],
    [{ matchExpressions: [{ key: 'tier', operator: 'Gt', values: ['1'] }] }, false],
    [{}, false],
    [undefined, false],
  ])('%j → %s', (selector, expected) => {
    expect(labelSelectorMatches(selector, labels)).toBe(expected);
  });
});

describe('servicesSelecting', () => {
  it('picks Services of the same namespace whose selector matches the pod template', () => {
    const web = deployment({
      name: 'web',
      namespace: 'shop',
      labels: { tier: 'front' },
      containers: [container('web')],
    });
    expect(podTemplateLabels(web)).toEqual(labels);
    const svc = (name: string, namespace: string, selector?: Record<string, string>) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace },
      spec: selector ? { selector } : {},
    });
    const picked = servicesSelecting(web, [
      svc('web', 'shop', { app: 'web' }),
      svc('other-ns', 'blog', { app: 'web' }),
      svc('headless-external', 'shop'),
      svc('db', 'shop', { app: 'db' }),
    ]);
    expect(picked.map((s) => s.metadata.name)).toEqual(['web']);
  });
});
