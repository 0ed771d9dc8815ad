import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';

// Ten days before a fixed instant: far older than any wall-clock retention would keep.
const T0 = 1_600_000_000;

function history(): string {
  const lines = ['# TYPE container_memory_working_set_bytes gauge'];
  for (let i = 0; i < 12 * 24 * 10; i++) {
    lines.push(
      `container_memory_working_set_bytes{namespace="a",pod="p",container="c"} ${1000 + i} ${T0 + i * 300}`,
    );
  }
  return lines.join('\n') + '\n';
}

describe('startPrometheus', () => {
  let prometheus: RunningPrometheus;
  beforeAll(async () => {
    prometheus = await startPrometheus({ openMetrics: [history()] });
  });
  afterAll(async () => {
    await prometheus.stop();
  });

  it('serves backfilled history at old timestamps and counts the queries it answered', async () => {
    const before = await prometheus.queryCount();
    const params = new URLSearchParams({
      query: 'container_memory_working_set_bytes',
      time: String(T0 + 300 * 2000),
    });
    const response = await fetch(`${prometheus.url}/api/v1/query?${params.toString()}`);
    const body = (await response.json()) as { data: { result: { value: [number, string] }[] } };
    expect(body.data.result[0]?.value[1]).toBe('3000');
    expect(await prometheus.queryCount()).toBe(before + 1);
  });

  it('leaves no process behind after stop', async () => {
    const other = await startPrometheus({ openMetrics: [history()] });
    await other.stop();
    await expect(fetch(`${other.url}/-/ready`)).rejects.toThrow();
  });
});
