import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ServiceCounts, VersionCounts } from '../data-plane/index.js';
import { demoManifests, failuresSince, releasePatch, releases, trafficSince } from './releases.js';

const example = join(import.meta.dirname, '..', '..', '..', 'examples', 'podinfo');

const counts = (workload: string, version: string, requests: number, more: Partial<VersionCounts> = {}): VersionCounts =>
  ({ namespace: 'demo', workload, version, requests, errors: 0, failures: 0, mirrored: 0, ...more });

describe('the demo releases', () => {
  it('moves the example to its namespace with a short analysis, the load test aimed at that namespace, and no finalizer', () => {
    const objects = demoManifests(example, 'demo-x', { interval: '10s', metricWindow: '10s', stepWeight: 30 });
    expect(objects.map((o) => o.kind).sort()).toEqual(['Canary', 'ConfigMap', 'Deployment']);
    expect(new Set(objects.map((o) => o.metadata.namespace))).toEqual(new Set(['demo-x']));
    const canary = objects.find((o) => o.kind === 'Canary') as unknown as { spec: { provider: string; revertOnDeletion: boolean; analysis: { interval: string; metrics: { name: string; interval: string }[]; webhooks: { url: string; metadata: { cmd: string } }[] } } };
    expect(canary.spec).toMatchObject({ provider: 'istio', revertOnDeletion: false, analysis: { interval: '10s', stepWeight: 30, maxWeight: 60 } });
    expect(canary.spec.analysis.metrics.map((m) => [m.name, m.interval])).toEqual([['request-success-rate', '10s'], ['request-duration', '10s']]);
    expect(canary.spec.analysis.webhooks[0]?.url).toBe('http://flagger-loadtester.test/');
    expect(canary.spec.analysis.webhooks[0]?.metadata.cmd).toBe('hey -z 1m -q 10 -c 2 http://podinfo-canary.demo-x:9898/');
  });

  it('expects the good release promoted and both faulty ones rolled back', () => {
    expect(releases.map((r) => [r.name, r.expected, r.env])).toEqual([
      ['good 6.0.1', 'Succeeded', {}],
      ['errors 6.0.2', 'Failed', { FAULT_ERROR_RATIO: '0.5' }],
      ['latency 6.0.3', 'Failed', { FAULT_LATENCY_MS: '800' }],
    ]);
  });

  it('patches the image tag and replaces the fault env, so a later release drops an earlier fault', () => {
    expect(releasePatch('ghcr.io/stefanprodan/podinfo:6.0.2', releases[2]!)).toEqual([
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'ghcr.io/stefanprodan/podinfo:6.0.3' },
      { op: 'add', path: '/spec/template/spec/containers/0/env', value: [{ name: 'FAULT_LATENCY_MS', value: '800' }] },
    ]);
  });

  it('counts the requests per version since the release began, in its namespace only, errors and failures together', () => {
    const before = [counts('podinfo-primary', '6.0.0', 100), counts('podinfo', '6.0.1', 10, { errors: 1 })];
    const now = [counts('podinfo-primary', '6.0.0', 180), counts('podinfo', '6.0.1', 50, { errors: 5, failures: 2 }), counts('podinfo', '6.0.1', 7, { namespace: 'other' }), counts('podinfo', '6.0.9', 0)];
    expect(trafficSince(before, now, 'demo')).toEqual([
      { version: '6.0.0', role: 'primary', requests: 80, errors: 0 },
      { version: '6.0.1', role: 'canary', requests: 40, errors: 6 },
    ]);
  });

  it('counts the failed requests of the apex Service since the release began, zero when it was never asked', () => {
    const service = (name: string, failures: number, namespace = 'demo'): ServiceCounts => ({ namespace, service: name, requests: 100, errors: 0, failures });
    expect(failuresSince([service('podinfo', 2)], [service('podinfo', 5), service('podinfo-canary', 40), service('podinfo', 9, 'other')], 'demo', 'podinfo')).toBe(3);
    expect(failuresSince([], [], 'demo', 'podinfo')).toBe(0);
  });
});
