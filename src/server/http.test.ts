import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { Recorder } from '../telemetry/recorder.js';
import { startHttpServer } from './http.js';

describe('operator HTTP endpoints', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  it('serves /healthz, /readyz following readiness, and the flagger_* metrics', async () => {
    const registry = new Registry();
    const recorder = new Recorder(registry, { version: '1.2.3', meshProvider: 'istio' });
    recorder.setWeight('podinfo', 'test', { primary: 90, canary: 10 });
    recorder.setStatus('podinfo', 'test', 'Failed');
    let reason: string | null = 'caches not synced yet';
    const server = await startHttpServer({ port: 0, host: '127.0.0.1', registry, readiness: { notReadyReason: () => reason } });
    close = () => server.close();
    const base = `http://127.0.0.1:${server.port}`;

    expect(await (await fetch(`${base}/healthz`)).text()).toBe('OK');
    const notReady = await fetch(`${base}/readyz`);
    expect([notReady.status, await notReady.text()]).toEqual([503, 'caches not synced yet']);
    reason = null;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('flagger_info{version="1.2.3",mesh_provider="istio"} 1');
    expect(metrics).toContain('flagger_canary_weight{workload="podinfo-primary",namespace="test"} 90');
    expect(metrics).toContain('flagger_canary_weight{workload="podinfo",namespace="test"} 10');
    expect(metrics).toContain('flagger_canary_status{name="podinfo",namespace="test"} 2');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});
