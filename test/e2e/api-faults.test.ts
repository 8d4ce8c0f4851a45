import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiserverAgain, stopApiserver } from '../../src/local-cluster/index.js';
import { canaryStatus, newRevision, pollUntil, startApiFaultRig, startRelease, waitForRun, type ApiFaultRig } from '../support/api-fault-rig.js';
import type { OperatorProcess } from '../support/operator-process.js';

// Recovery budget: once the fault ends, the run for a revision made during it must start within this.
const RECOVERY_MS = 30_000;
const image = (n: number): string => `ghcr.io/stefanprodan/podinfo:6.1.${n}`;

/** The operator is still running and nothing escaped as an unhandled rejection. */
async function expectAlive(operator: OperatorProcess): Promise<void> {
  expect(operator.exited(), operator.logTail()).toBeUndefined();
  expect(await operator.metric('songbird_unhandled_rejections_total')).toBe(0);
}

/** The first backoff of each kind after `since` (caused by `cause` when given): jittered, so the kinds do not all retry together. */
function firstDelays(operator: OperatorProcess, since: number, cause = ''): number[] {
  const seen = new Map<string, number>();
  for (const r of operator.retries()) if (r.at >= since && r.error.includes(cause) && !seen.has(r.kind)) seen.set(r.kind, r.retryInMs);
  return [...seen.values()];
}

describe('the operator through API server faults, mid-release', () => {
  let rig: ApiFaultRig;
  let direct: OperatorProcess;
  let proxied: OperatorProcess;
  const suffix = Math.random().toString(16).slice(2, 8);
  const directNs = `faults-direct-${suffix}`;
  const proxiedNs = `faults-proxy-${suffix}`;

  beforeAll(async () => {
    rig = await startApiFaultRig();
    [direct, proxied] = await Promise.all([rig.operator(directNs, 'direct'), rig.operator(proxiedNs, 'proxy')]);
    await Promise.all([startRelease(rig.kube, directNs, 'podinfo'), startRelease(rig.kube, proxiedNs, 'podinfo')]);
  });

  afterAll(async () => rig?.stop());

  it('stays up when kube-apiserver and etcd restart, and runs the revision made as they come back within 30 s', async () => {
    const since = Date.now();
    await stopApiserver(rig.cluster, { etcd: true });
    let aliveWhileDown: string | undefined;
    try {
      // The operator meets refused connections now (it used to exit within a second: an unhandled ECONNREFUSED).
      await new Promise((r) => setTimeout(r, 3_000));
      aliveWhileDown = direct.exited();
    } finally {
      await startApiserverAgain(rig.cluster);
    }
    expect(aliveWhileDown, direct.logTail()).toBeUndefined();
    const back = Date.now();
    const hash = await newRevision(rig.kube, directNs, 'podinfo', image(1));
    const recovered = await waitForRun(rig.kube, { namespace: directNs, name: 'podinfo' }, hash, RECOVERY_MS);
    expect(recovered - back).toBeLessThan(RECOVERY_MS);
    // The release goes on: the next interval's iteration happens.
    await pollUntil('the next iteration', async () => ((await canaryStatus(rig.kube, directNs, 'podinfo'))?.iterations ?? 0) >= 1, 20_000);
    await expectAlive(direct);
    const delays = firstDelays(direct, since);
    expect(delays.length).toBeGreaterThan(3);
    expect(new Set(delays).size).toBeGreaterThan(1);
  });

  it('re-watches after every watch is dropped, and runs the revision made meanwhile', async () => {
    expect(rig.proxy.dropWatches()).toBeGreaterThan(0);
    const hash = await newRevision(rig.kube, proxiedNs, 'podinfo', image(2));
    const dropped = Date.now();
    const recovered = await waitForRun(rig.kube, { namespace: proxiedNs, name: 'podinfo' }, hash, RECOVERY_MS);
    expect(recovered - dropped).toBeLessThan(RECOVERY_MS);
    await expectAlive(proxied);
  });

  it('rides out 429 (Retry-After) then 500 answers for 10 s, and runs the revision made during them within 30 s', async () => {
    const since = Date.now();
    const throttled = rig.proxy.failFor(429, 5_000, 2);
    const hash = await newRevision(rig.kube, proxiedNs, 'podinfo', image(3));
    await throttled;
    await rig.proxy.failFor(500, 5_000);
    const ended = Date.now();
    const recovered = await waitForRun(rig.kube, { namespace: proxiedNs, name: 'podinfo' }, hash, RECOVERY_MS);
    expect(recovered - ended).toBeLessThan(RECOVERY_MS);
    await expectAlive(proxied);
    // Retries after a 429 waited at least the 2 s asked for, spread over 2–3 s.
    const delays = firstDelays(proxied, since, 'TooManyRequests');
    expect(delays.length).toBeGreaterThan(3);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(2_000);
    expect(new Set(delays).size).toBeGreaterThan(1);
  });

  it('rides out 10 s of refused connections, and runs the revision made during them within 30 s', async () => {
    const refused = rig.proxy.refuseFor(10_000);
    const hash = await newRevision(rig.kube, proxiedNs, 'podinfo', image(4));
    await refused;
    const ended = Date.now();
    const recovered = await waitForRun(rig.kube, { namespace: proxiedNs, name: 'podinfo' }, hash, RECOVERY_MS);
    expect(recovered - ended).toBeLessThan(RECOVERY_MS);
    await expectAlive(proxied);
  });
});
