import { describe, expect, it } from 'vitest';
import type { CanaryWebhook } from '../api/canary-analysis.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import type { WebhookDeps } from './client.js';
import { hooksOfType, rollbackHookSignalling, rollbackRequested, runHooks } from './gates.js';
import { HttpError, type HttpPost } from './http-port.js';
import { aCanaryWithHooks } from '../../test/fixtures/webhooks.js';

/** Each hook URL `http://<name>/` answers the status scripted for `<name>`; 0 means the connection fails. */
function scripted(statuses: Partial<Record<string, number>>): { deps: WebhookDeps; called: string[]; phases: unknown[] } {
  const called: string[] = [];
  const phases: unknown[] = [];
  const http: HttpPost = {
    post(url, body) {
      const name = new URL(url).hostname;
      called.push(name);
      phases.push((body as { phase?: unknown }).phase);
      const status = statuses[name] ?? 200;
      if (status === 0) return Promise.reject(new HttpError('connection', 'connect ECONNREFUSED'));
      return Promise.resolve({ status, body: status >= 300 ? `${name} says no` : '', headers: {} });
    },
  };
  return { deps: { http, clock: new FakeClock(), secrets: () => undefined }, called, phases };
}

const hook = (name: string, type?: CanaryWebhook['type'], extra: Partial<CanaryWebhook> = {}): CanaryWebhook =>
  ({ name, url: `http://${name}/`, ...(type === undefined ? {} : { type }), ...extra });

describe('hooksOfType', () => {
  const canary = aCanaryWithHooks([
    hook('untyped'), hook('empty', ''), hook('load', 'rollout'), hook('pre', 'pre-rollout'), hook('gate', 'confirm-rollout'),
  ]);

  it.each([
    ['rollout', ['untyped', 'empty', 'load']],
    ['pre-rollout', ['pre']],
    ['confirm-rollout', ['gate']],
    ['rollback', []],
  ] as const)('selects the %s hooks in spec order', (type, names) => {
    expect(hooksOfType(canary, type).map((h) => h.name)).toEqual(names);
  });

  it('finds nothing when the analysis has no webhooks', () => {
    expect(hooksOfType(aCanaryWithHooks([]), 'rollout')).toEqual([]);
  });
});

describe('runHooks', () => {
  it.each([
    {
      case: 'passes with no hooks of the type',
      hooks: [hook('other', 'post-rollout')], statuses: {}, called: [],
      result: { ok: true, passed: [] },
    },
    {
      case: 'passes when every hook answers 2xx',
      hooks: [hook('a', 'pre-rollout'), hook('b', 'pre-rollout')], statuses: { b: 204 }, called: ['a', 'b'],
      result: { ok: true, passed: ['a', 'b'] },
    },
    {
      case: 'stops at the first failing hook and never calls the next',
      hooks: [hook('a', 'pre-rollout'), hook('b', 'pre-rollout'), hook('c', 'pre-rollout')], statuses: { b: 403 }, called: ['a', 'b'],
      result: { ok: false, passed: ['a'], hook: 'b', reason: 'HTTP 403: b says no', muteAlert: false },
    },
    {
      case: 'reports the failing hook\'s muteAlert',
      hooks: [hook('gate', 'pre-rollout', { muteAlert: true })], statuses: { gate: 500 }, called: ['gate'],
      result: { ok: false, passed: [], hook: 'gate', reason: 'HTTP 500: gate says no', muteAlert: true },
    },
    {
      case: 'fails on a connection error',
      hooks: [hook('down', 'pre-rollout')], statuses: { down: 0 }, called: ['down'],
      result: { ok: false, passed: [], hook: 'down', reason: 'connection failed: connect ECONNREFUSED', muteAlert: false },
    },
    {
      case: 'calls only hooks of the requested type',
      hooks: [hook('load'), hook('pre', 'pre-rollout'), hook('post', 'post-rollout')], statuses: {}, called: ['pre'],
      result: { ok: true, passed: ['pre'] },
    },
  ])('$case', async ({ hooks, statuses, called, result }) => {
    const world = scripted(statuses);

    expect(await runHooks(world.deps, aCanaryWithHooks(hooks), 'pre-rollout', 'Progressing')).toEqual(result);
    expect(world.called).toEqual(called);
  });

  it('sends the phase it is given', async () => {
    const world = scripted({});

    await runHooks(world.deps, aCanaryWithHooks([hook('done', 'post-rollout')]), 'post-rollout', 'Failed');

    expect(world.phases).toEqual(['Failed']);
  });
});

describe('rollbackRequested', () => {
  it.each([
    { case: 'no rollback hooks', hooks: [hook('load')], statuses: {}, requested: false, signalling: undefined, called: [] },
    { case: 'a rollback hook answering 200', hooks: [hook('rb', 'rollback')], statuses: {}, requested: true, signalling: 'rb', called: ['rb'] },
    { case: 'a closed rollback gate (403)', hooks: [hook('rb', 'rollback')], statuses: { rb: 403 }, requested: false, signalling: undefined, called: ['rb'] },
    { case: 'an unreachable rollback hook', hooks: [hook('rb', 'rollback')], statuses: { rb: 0 }, requested: false, signalling: undefined, called: ['rb'] },
    {
      case: 'a later hook signalling after one that does not',
      hooks: [hook('a', 'rollback'), hook('b', 'rollback')], statuses: { a: 403 }, requested: true, signalling: 'b', called: ['a', 'b'],
    },
    {
      case: 'the first of two signalling hooks (the second is not called)',
      hooks: [hook('a', 'rollback'), hook('b', 'rollback')], statuses: {}, requested: true, signalling: 'a', called: ['a'],
    },
  ])('is $requested for $case', async ({ hooks, statuses, requested, signalling, called }) => {
    const asked = scripted(statuses);
    const named = scripted(statuses);

    expect(await rollbackRequested(asked.deps, aCanaryWithHooks(hooks), 'Progressing')).toBe(requested);
    expect(await rollbackHookSignalling(named.deps, aCanaryWithHooks(hooks), 'Progressing')).toBe(signalling);
    expect(asked.called).toEqual(called);
  });
});
