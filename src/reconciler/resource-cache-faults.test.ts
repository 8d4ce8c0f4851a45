import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock, settle } from '../../test/fakes/fake-clock.js';
import { FakeKube } from '../../test/fakes/fake-kube.js';
import { Resources, type ConfigMap } from '../kube/resources.js';
import { KubeApiError } from '../ports/kube.js';
import { silentLogger, type Logger, type LogFields } from '../ports/logger.js';
import { ResourceCache } from './resource-cache.js';

/** What `connect()` to a stopped kube-apiserver rejects with. */
function connectionRefused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });
}

/** A logger that keeps the `retryInMs` of every "retrying" warning: the backoff delays the cache chose. */
function delayRecorder(): { logger: Logger; delays: number[] } {
  const delays: number[] = [];
  const logger: Logger = {
    debug: () => undefined, info: () => undefined, error: () => undefined,
    warn: (_message: string, fields?: LogFields) => {
      if (typeof fields?.retryInMs === 'number') delays.push(fields.retryInMs);
    },
    child: () => logger,
  };
  return { logger, delays };
}

/** A deterministic stand-in for Math.random: cycles through `values`. */
const cycling = (values: number[]): (() => number) => {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
};

describe('ResourceCache under API server faults', () => {
  const unhandled: unknown[] = [];
  const record = (reason: unknown): void => { unhandled.push(reason); };
  beforeEach(() => { unhandled.length = 0; process.on('unhandledRejection', record); });
  afterEach(() => { process.off('unhandledRejection', record); });

  it('keeps retrying a re-list that is refused (API server down), with no unhandled rejection, and recovers when it is back', async () => {
    const kube = new FakeKube();
    const clock = new FakeClock();
    await kube.create(Resources.configMaps, { metadata: { name: 'a', namespace: 'ns' }, data: { v: '1' } });
    const { logger, delays } = delayRecorder();
    const cache = new ResourceCache<ConfigMap>({ kube, clock, logger, type: Resources.configMaps, random: cycling([0.1, 0.9, 0.5]) });
    await cache.start();
    await settle();

    const list = kube.list.bind(kube);
    let down = true;
    let listCalls = 0;
    kube.list = (...args) => {
      listCalls += 1;
      return down ? Promise.reject(connectionRefused()) : list(...args);
    };
    kube.breakWatches(connectionRefused());
    await clock.advance(120_000);
    await settle();
    expect(unhandled).toEqual([]);
    expect(listCalls).toBeGreaterThan(5);

    // Meanwhile the object changed; once the server answers again the cache re-lists and sees it.
    await kube.patch(Resources.configMaps, { namespace: 'ns', name: 'a' }, { data: { v: '2' } });
    down = false;
    await clock.advance(20_000);
    expect(cache.get('ns', 'a')?.data).toEqual({ v: '2' });
    expect(kube.openWatches()).toBe(1);
    expect(unhandled).toEqual([]);
    expect(delays.length).toBeGreaterThan(5);
    cache.stop();
  });

  it('backs off exponentially with jitter: each delay within the upper half of its capped ceiling, and delays spread', async () => {
    const kube = new FakeKube();
    const clock = new FakeClock();
    const { logger, delays } = delayRecorder();
    const cache = new ResourceCache<ConfigMap>({
      kube, clock, logger, type: Resources.configMaps, backoff: { initialMs: 1000, maxMs: 16_000 }, random: cycling([0, 0.5, 1, 0.25]),
    });
    await cache.start();
    await settle();
    kube.list = () => Promise.reject(connectionRefused());
    kube.breakWatches(connectionRefused());
    await clock.advance(200_000);
    cache.stop();

    // Ceilings 1, 2, 4, 8, 16, 16, … s; the delay is half the ceiling plus random × half.
    const ceilings = [1000, 2000, 4000, 8000, 16_000, 16_000, 16_000, 16_000];
    expect(delays.slice(0, 8)).toEqual(ceilings.map((c, i) => c / 2 + [0, 0.5, 1, 0.25][i % 4]! * (c / 2)));
    const capped = delays.slice(4);
    expect(Math.min(...capped)).toBeGreaterThanOrEqual(8000);
    expect(Math.max(...capped)).toBeLessThanOrEqual(16_000);
    expect(new Set(capped).size).toBeGreaterThan(2);
    expect(unhandled).toEqual([]);
  });

  it('waits at least what a 429 asks for in Retry-After (capped by the backoff maximum)', async () => {
    const kube = new FakeKube();
    const clock = new FakeClock();
    const { logger, delays } = delayRecorder();
    const cache = new ResourceCache<ConfigMap>({ kube, clock, logger, type: Resources.configMaps, random: () => 0 });
    await cache.start();
    await settle();
    const list = kube.list.bind(kube);
    let throttled = 2;
    kube.list = (...args) => (throttled-- > 0 ? Promise.reject(new KubeApiError(429, 'TooManyRequests', 'slow down', 5000)) : list(...args));
    kube.breakWatches(new KubeApiError(429, 'TooManyRequests', 'slow down', 5000));
    await clock.advance(60_000);
    expect(delays.slice(0, 3)).toEqual([5000, 5000, 5000]);
    expect(kube.openWatches()).toBe(1);
    cache.stop();
  });

  it('treats a watch that ends at once without events as a failure, so a server closing every watch is not hammered', async () => {
    const kube = new FakeKube();
    const clock = new FakeClock();
    const { logger, delays } = delayRecorder();
    const cache = new ResourceCache<ConfigMap>({ kube, clock, logger, type: Resources.configMaps, random: () => 1 });
    await cache.start();
    let watches = 0;
    // Every watch ends at once; past 50 of them (a hot loop) the next one stays open, so the test ends either way.
    kube.watch = () => {
      watches += 1;
      return { stop: () => undefined, done: watches > 50 ? new Promise<void>(() => undefined) : Promise.resolve() };
    };
    kube.breakWatches(new Error('connection reset'));
    await clock.advance(30_000);
    cache.stop();
    // 1 + 2 + 4 + 8 + 16 = 31 s of backoff: at most six watches in 30 s, instead of an endless loop.
    expect(watches).toBeLessThanOrEqual(6);
    expect(delays.slice(0, 4)).toEqual([1000, 2000, 4000, 8000]);
  });

  it('waits at start-up for an API server that is down (no crash loop), and fails at once on 403 naming the kind', async () => {
    const kube = new FakeKube();
    const clock = new FakeClock();
    const list = kube.list.bind(kube);
    let down = true;
    kube.list = (...args) => (down ? Promise.reject(connectionRefused()) : list(...args));
    const cache = new ResourceCache<ConfigMap>({ kube, clock, logger: delayRecorder().logger, type: Resources.configMaps });
    let started = 'waiting';
    cache.start().then(() => { started = 'started'; }, (error: unknown) => { started = String(error); });
    await clock.advance(10 * 60_000);
    expect(started).toBe('waiting');
    down = false;
    await clock.advance(16_000);
    expect(started).toBe('started');
    cache.stop();

    kube.list = () => Promise.reject(new KubeApiError(403, 'Forbidden', 'configmaps is forbidden: User "system:serviceaccount:x:songbird" cannot list resource "configmaps"'));
    const forbidden = new ResourceCache<ConfigMap>({ kube, clock, logger: silentLogger, type: Resources.configMaps });
    await expect(forbidden.start()).rejects.toThrow(/cannot list configmaps.core: configmaps is forbidden/);
    expect(unhandled).toEqual([]);
  });

  it('backs off from the start again for a fault that follows a healthy watch', async () => {
    const kube = new FakeKube();
    const clock = new FakeClock();
    const { logger, delays } = delayRecorder();
    const cache = new ResourceCache<ConfigMap>({ kube, clock, logger, type: Resources.configMaps, random: () => 1 });
    await cache.start();
    await settle();
    const list = kube.list.bind(kube);
    let down = true;
    kube.list = (...args) => (down ? Promise.reject(connectionRefused()) : list(...args));
    kube.breakWatches(connectionRefused());
    await clock.advance(30_000);
    down = false;
    await clock.advance(20_000);
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000]);
    // A minute of healthy watching later, the watch breaks again: the first retry is 1 s again, not 16 s.
    await clock.advance(60_000);
    kube.breakWatches(new Error('connection reset'));
    await clock.advance(1000);
    expect(delays.slice(5)).toEqual([1000]);
    expect(kube.openWatches()).toBe(1);
    cache.stop();
  });
});
