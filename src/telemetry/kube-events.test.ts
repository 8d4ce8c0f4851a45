import { describe, expect, it } from 'vitest';
import { FakeClock, settle } from '../../test/fakes/fake-clock.js';
import { FakeKube } from '../../test/fakes/fake-kube.js';
import { Resources } from '../kube/resources.js';
import { silentLogger } from '../ports/logger.js';
import { createDomainBus } from './domain-events.js';
import { recordNoticesAsEvents } from './kube-events.js';

describe('recordNoticesAsEvents', () => {
  async function recorded(message: string): Promise<string> {
    const kube = new FakeKube();
    const bus = createDomainBus();
    recordNoticesAsEvents({ bus, kube, clock: new FakeClock(), logger: silentLogger });
    bus.emit('notice', { canary: { name: 'podinfo', namespace: 'test', target: 'podinfo' }, severity: 'warn', message });
    await settle();
    const { items } = await kube.list(Resources.events, 'test');
    return items[0]?.message ?? '';
  }

  it('records a message as it is', async () => {
    expect(await recorded('Halt podinfo.test advancement')).toBe('Halt podinfo.test advancement');
  });

  it('keeps at most 1 KiB of a message (the events.k8s.io note limit), ending in an ellipsis', async () => {
    const message = `Halt podinfo.test advancement (query: ${'sum(rate(x[1m])) + '.repeat(500)})`;
    const event = await recorded(message);
    expect(Buffer.byteLength(event)).toBeLessThanOrEqual(1024);
    expect(event.startsWith('Halt podinfo.test advancement (query: sum(rate(x[1m])) + ')).toBe(true);
    expect(event.endsWith('…')).toBe(true);
  });
});
