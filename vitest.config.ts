import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    exclude: ['dist/**', 'node_modules/**'],
    // Starts the real test cluster once (or uses TARS_TEST_KUBECONFIG) and exposes its kubeconfigs.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    // Two cores: integration tests share one API server and one Prometheus.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
