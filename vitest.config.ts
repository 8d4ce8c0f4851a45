import { defineConfig } from 'vitest/config';

// Three projects (see CONTRIBUTING.md "Test tiers"); test/unit/vitest-config.test.ts checks every glob finds tests:
//  unit        pure functions, reconciler units, scenarios and contract tests on the in-memory cluster with a
//              fake clock; no processes, no network beyond loopback servers
//  integration a real etcd + kube-apiserver (and Prometheus where a test starts one)
//  e2e         the full control plane: controller-manager, scheduler and kwok with a fake Ready node
// A JSON report is always written so that CI can print the plain `N passed, N failed` line.
export default defineConfig({
  test: {
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['src/**/*.test.ts', 'loadtester/**/*.test.ts', 'scripts/**/*.test.ts', 'test/unit/**/*.test.ts', 'test/contract/**/*.test.ts', 'test/scenarios/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          // Integration and e2e files share their control planes, each in its own namespace (or on one of its
          // own), and mostly wait on the API server or out analysis intervals: after the unit layer, three of
          // them run at a time (one group, so one worker limit for both).
          sequence: { groupOrder: 1 },
          maxWorkers: 3,
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup-integration.ts'],
          setupFiles: ['test/support/export-kubeconfig.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'e2e',
          sequence: { groupOrder: 1 },
          maxWorkers: 3,
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/global-setup-e2e.ts'],
          setupFiles: ['test/support/export-kubeconfig.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
