/**
 * Webhook gates as the phase machine uses them (spec §7.3): run the hooks of one type in spec order and
 * tell the caller, as a value, whether the run may go on. What a failure does to the phase (Waiting, a
 * failed check, a halt) is the caller's decision; these helpers only call and report.
 */
import type { CanaryWebhook, WebhookType } from '../api/canary-analysis.js';
import type { CanaryPhase } from '../api/canary-status.js';
import type { Canary } from '../api/canary.js';
import { webhookType } from '../api/defaults.js';
import { callWebhook, type WebhookDeps } from './client.js';

/** A webhook type, with the empty string already read as `rollout`. */
export type HookType = Exclude<WebhookType, ''>;

/** Types whose hooks gate the run (a non-2xx answer stops it); `rollback` and `event` work differently. */
export type GateHookType = Exclude<HookType, 'rollback' | 'event'>;

/**
 * Outcome of {@link runHooks}. `passed` names the hooks that answered 2xx, in order (for Flagger's
 * "Pre-rollout check <hook> passed" events). On failure, `hook` is the first hook that failed, `reason` why,
 * and `muteAlert` that hook's `muteAlert` (whether the caller should skip the warn alert).
 */
export type GateResult =
  | { ok: true; passed: string[] }
  | { ok: false; passed: string[]; hook: string; reason: string; muteAlert: boolean };

/** The webhooks of one type, in spec order; hooks without a type are `rollout` hooks. */
export function hooksOfType(canary: Canary, type: HookType): CanaryWebhook[] {
  return (canary.spec.analysis.webhooks ?? []).filter((hook) => webhookType(hook) === type);
}

/**
 * Calls the hooks of `type` one after another with `phase` in the payload, stopping at the first that does
 * not answer 2xx; `{ ok: true }` when every hook passed or there are none.
 *
 * Example: hooks `[a: 200, b: 403 "closed", c]` → `{ ok: false, passed: ['a'], hook: 'b',
 * reason: 'HTTP 403: closed', muteAlert: false }`, and `c` is never called.
 *
 * parity: Flagger pkg/controller/scheduler_hooks.go run*Hooks, same order and the same stop at the first
 * failure for every gate type, post-rollout included.
 */
export async function runHooks(deps: WebhookDeps, canary: Canary, type: GateHookType, phase: CanaryPhase): Promise<GateResult> {
  const passed: string[] = [];
  for (const hook of hooksOfType(canary, type)) {
    const result = await callWebhook(deps, canary, hook, phase);
    if (!result.ok) return { ok: false, passed, hook: hook.name, reason: result.reason, muteAlert: hook.muteAlert === true };
    passed.push(hook.name);
  }
  return { ok: true, passed };
}

/**
 * The first `rollback` hook, in spec order, that answers 2xx (asking for an immediate rollback), or
 * `undefined` when none does. A non-2xx answer or no answer at all means "not signalling"; later hooks are
 * not called once one signals.
 *
 * parity: Flagger pkg/controller/scheduler_hooks.go runRollbackHooks.
 */
export async function rollbackHookSignalling(deps: WebhookDeps, canary: Canary, phase: CanaryPhase): Promise<string | undefined> {
  for (const hook of hooksOfType(canary, 'rollback')) {
    const result = await callWebhook(deps, canary, hook, phase);
    if (result.ok) return hook.name;
  }
  return undefined;
}

/** True when any `rollback` hook answers 2xx; see {@link rollbackHookSignalling}. */
export async function rollbackRequested(deps: WebhookDeps, canary: Canary, phase: CanaryPhase): Promise<boolean> {
  return (await rollbackHookSignalling(deps, canary, phase)) !== undefined;
}
