import { describe, expect, it } from 'vitest';
import { webhookPayloadSchema } from '../api/webhook-payload.js';
import type { CanaryNotice } from '../telemetry/domain-events.js';
import { eventPayload, eventType, webhookPayload } from './payload.js';
import { aCanary } from '../../test/fixtures/webhooks.js';

const tracked = aCanary({ status: { trackedConfigs: { 'configmap/podinfo-config': 'abc' }, lastAppliedSpec: 'deadbeef', phase: 'Progressing' } });
const identity = { name: 'podinfo', namespace: 'test', target: 'podinfo' };
const notice = (over: Partial<CanaryNotice> = {}): CanaryNotice => ({ canary: identity, severity: 'info', message: 'Advance podinfo.test canary weight 10', ...over });

describe('webhookPayload', () => {
  it('renders exactly Flagger\'s payload with the hook metadata in key order', () => {
    const payload = webhookPayload(tracked, 'Progressing', { type: 'cmd', cmd: 'hey -z 1m http://podinfo-canary.test/' });

    expect(JSON.stringify(payload)).toBe(
      '{"name":"podinfo","namespace":"test","phase":"Progressing","checksum":"5f9367a4bedbdf92",'
      + '"metadata":{"cmd":"hey -z 1m http://podinfo-canary.test/","type":"cmd"}}',
    );
  });

  it.each([
    ['no metadata', undefined],
    ['empty metadata', {}],
  ])('omits metadata when the hook has %s', (_case, metadata) => {
    expect(JSON.stringify(webhookPayload(aCanary(), 'Waiting', metadata))).toBe(
      '{"name":"podinfo","namespace":"test","phase":"Waiting","checksum":"e859ffebbb397c94"}',
    );
  });

  it('changes the checksum when a tracked config or the applied spec changes', () => {
    const other = aCanary({ status: { trackedConfigs: { 'configmap/podinfo-config': 'abd' }, lastAppliedSpec: 'deadbeef' } });

    expect(webhookPayload(other, 'Progressing').checksum).not.toBe(webhookPayload(tracked, 'Progressing').checksum);
  });

  it('is accepted by the schema the load tester parses', () => {
    expect(webhookPayloadSchema.safeParse(webhookPayload(tracked, 'Progressing', { a: 'b' })).success).toBe(true);
  });

  it('throws for a canary without a namespace', () => {
    expect(() => webhookPayload({ metadata: { name: 'podinfo' } }, 'Progressing')).toThrow(/namespace/);
  });
});

describe('eventPayload', () => {
  it('carries the event message, type and unix-millisecond timestamp, sorted with the hook\'s own keys', () => {
    const payload = eventPayload(tracked, notice({ phase: 'Progressing' }), { now: 1767225600123, metadata: { team: 'web' } });

    expect(JSON.stringify(payload)).toBe(
      '{"name":"podinfo","namespace":"test","phase":"Progressing","checksum":"5f9367a4bedbdf92","metadata":'
      + '{"eventMessage":"Advance podinfo.test canary weight 10","eventType":"Normal","team":"web","timestamp":"1767225600123"}}',
    );
  });

  it('never lets the hook\'s metadata override the three event keys', () => {
    const payload = eventPayload(tracked, notice({ severity: 'error', message: 'Canary failed!' }), {
      now: 5, metadata: { eventMessage: 'forged', eventType: 'Normal', timestamp: '0', extra: 'kept' },
    });

    expect(payload.metadata).toEqual({ eventMessage: 'Canary failed!', eventType: 'Warning', extra: 'kept', timestamp: '5' });
  });

  it.each([
    ['the notice\'s phase', { phase: 'Promoting' }, 'Promoting'],
    ['the status phase when the notice has none', {}, 'Progressing'],
  ])('sends %s', (_case, over, phase) => {
    expect(eventPayload(tracked, notice(over), { now: 0 }).phase).toBe(phase);
  });

  it('sends an empty phase for a canary that is gone', () => {
    expect(eventPayload({ metadata: { name: 'podinfo', namespace: 'test' } }, notice(), { now: 0 })).toMatchObject({ phase: '', checksum: 'e859ffebbb397c94' });
  });
});

describe('eventType', () => {
  it.each([['info', 'Normal'], ['warn', 'Warning'], ['error', 'Warning']] as const)('maps severity %s to %s', (severity, type) => {
    expect(eventType(notice({ severity }))).toBe(type);
  });
});
