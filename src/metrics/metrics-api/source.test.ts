import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../errors.js';
import { parseQuantity } from '../../util/quantity.js';
import { podMetricsToHistory } from './source.js';

const fixture = new URL('../fixtures/podmetrics-list.json', import.meta.url);

describe('podMetricsToHistory', () => {
  it('turns a PodMetricsList into one low-confidence point per container', async () => {
    const history = podMetricsToHistory(JSON.parse(await readFile(fixture, 'utf8')) as unknown);
    expect(history.confidence).toBe('low');
    expect(history.source).toBe('metrics.k8s.io');
    const t = Date.parse('2024-05-14T09:21:25Z') / 1000;
    expect(history.window).toEqual({ start: t - 3, end: t, stepSeconds: 60.5 });
    expect(
      history.containers.map((c) => `${c.key.namespace}/${c.key.pod}/${c.key.container}`),
    ).toEqual([
      'boutique/frontend-7c6d9f8b5-x2x4z/istio-proxy',
      'boutique/frontend-7c6d9f8b5-x2x4z/server',
      'kube-system/coredns-5d78c9869d-9gqcr/coredns',
    ]);
    const [proxy, server, coredns] = history.containers;
    expect(server?.cpu).toEqual([{ t, v: 0.25 }]);
    expect(server?.memory).toEqual([{ t, v: 64 * 2 ** 20 }]);
    expect(proxy?.memory[0]?.v).toBe(1.5 * 2 ** 30);
    expect(coredns?.cpu[0]?.v).toBeCloseTo(0.002362387, 12);
    expect(coredns?.memory[0]?.v).toBe(15924 * 1024);
    expect(history.events).toEqual([]);
  });

  it('rejects what is not a PodMetricsList', () => {
    expect(() => podMetricsToHistory({ items: [{ metadata: { name: 'x' } }] })).toThrow(InputError);
  });
});

describe('parseQuantity', () => {
  it.each([
    ['250m', 0.25],
    ['2', 2],
    ['4180633n', 0.004180633],
    ['500u', 0.0005],
    ['31520Ki', 31520 * 1024],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['128M', 128e6],
    ['1e3', 1000],
    ['.5', 0.5],
  ])('%s = %d', (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value, 12);
  });

  it.each(['', 'abc', '12Qi', '1.2.3'])('rejects %j', (text) => {
    expect(() => parseQuantity(text)).toThrow(InputError);
  });
});
