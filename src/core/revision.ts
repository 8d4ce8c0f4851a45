/**
 * Revision detection (spec §2.3): what is hashed to tell a new target revision or a changed ConfigMap or
 * Secret from the one already running, and the checksum of both that webhooks receive.
 *
 * Pure: no I/O, no clock. Every hash is SHA-256 over a canonical JSON rendering, so it is stable across
 * processes, Node versions and key order in the API server's answer.
 */
import { createHash } from 'node:crypto';
import type { ConfigMap, Secret } from '../kube/resources.js';

/** Length of every hash this module returns, in hex characters (the first 8 bytes of a SHA-256). */
export const hashLength = 16;

/**
 * JSON with object keys sorted recursively and `undefined` properties dropped, so that two objects with the
 * same content render identically whatever order their keys were built in. A top-level `undefined` renders
 * as `null`; values with a `toJSON` method (such as `Date`) are rendered through it.
 *
 * Example: `canonicalJson({ b: 1, a: { d: undefined, c: [2, 1] } })` → `{"a":{"c":[2,1]},"b":1}`.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (hasToJson(value)) return sortKeys(value.toJSON());
  if (Array.isArray(value)) return value.map(sortKeys);
  const sorted: Record<string, unknown> = {};
  // An undefined property stays undefined here, and JSON.stringify drops it.
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}

function hasToJson(value: object): value is { toJSON(): unknown } {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

function sha256Prefix(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, hashLength);
}

/**
 * Hash of a Deployment's `spec.template` (labels, annotations and the whole pod spec). Replicas and strategy
 * are outside the template, so scaling never looks like a new revision.
 *
 * parity: Flagger pkg/canary/spec.go ComputeHash hashes a Go struct dump with FNV-32a (quirk §12.22), which
 * cannot be reproduced outside Go; this is our own hash, so a canary taken over from Flagger is seen as
 * changed once.
 */
export function podTemplateHash(template: unknown): string {
  return sha256Prefix(canonicalJson(template));
}

/**
 * The nodeSelector key that parks a DaemonSet target between runs: no node carries this label, so the
 * DaemonSet runs no pod (a DaemonSet has no replica count to set to zero).
 */
export const parkingNodeSelectorKey = 'flagger.app/scale-to-zero';

/**
 * Hash of a DaemonSet's `spec.template`, as {@link podTemplateHash} but without the parking nodeSelector key
 * (and without a nodeSelector left empty by its removal), so parking and unparking the target is never a new
 * revision. Example: nodeSelector `{disk: ssd, flagger.app/scale-to-zero: "true"}` hashes as `{disk: ssd}`;
 * `{flagger.app/scale-to-zero: "true"}` hashes as no nodeSelector at all.
 *
 * parity: Flagger pkg/canary/daemonset_controller.go HasTargetChanged removes the key and treats a nil
 * nodeSelector as `{}` (spec §13 on §2.3); the same two templates compare equal here.
 */
export function daemonSetTemplateHash(template: { spec?: { nodeSelector?: Record<string, string> } } | undefined): string {
  const nodeSelector = { ...template?.spec?.nodeSelector };
  delete nodeSelector[parkingNodeSelectorKey];
  const hasSelector = Object.keys(nodeSelector).length > 0;
  const spec = { ...template?.spec, nodeSelector: hasSelector ? nodeSelector : undefined };
  return podTemplateHash(template === undefined ? undefined : { ...template, spec });
}

/**
 * Checksum of the content of a ConfigMap (`data` and `binaryData`) or a Secret (`data` and `stringData`).
 *
 * When only `data` is set, this is exactly Flagger's checksum (SHA-256 of Go's `json.Marshal` of the data
 * map, first 8 bytes), so `status.trackedConfigs` written by Flagger stays valid after a takeover.
 *
 * parity: Flagger pkg/canary/config_tracker.go checksum ignores `binaryData` and `stringData` (quirk §12.18),
 * so a change there never started a canary; here they are part of the checksum whenever they are not empty.
 */
export function configChecksum(config: ConfigMap | Secret): string {
  const extra = 'binaryData' in config ? config.binaryData : (config as Secret).stringData;
  const hasExtra = extra !== undefined && Object.keys(extra).length > 0;
  const content = hasExtra
    ? { data: config.data, binaryData: (config as ConfigMap).binaryData, stringData: (config as Secret).stringData }
    : (config.data ?? null);
  return sha256Prefix(goJsonEscape(canonicalJson(content)));
}

/**
 * Go's `encoding/json` escapes `<`, `>`, `&`, U+2028 and U+2029 inside strings; JSON.stringify does not.
 * These characters can only occur inside JSON strings, so replacing them in the whole text is safe.
 */
function goJsonEscape(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The `checksum` field of webhook payloads: a hash of the tracked config checksums and the last applied
 * target hash, so a load tester can tell one revision (spec or config) from another.
 *
 * parity: Flagger pkg/controller/webhook.go canaryChecksum hashes the same two fields with its Go-specific
 * hash; the value differs but has the same meaning.
 */
export function revisionChecksum(trackedConfigs: Record<string, string> | undefined, lastAppliedSpec: string | undefined): string {
  return sha256Prefix(canonicalJson({ trackedConfigs, lastAppliedSpec: lastAppliedSpec ?? '' }));
}

/**
 * Whether the target's template hash is a new revision (spec §2.3): no `lastAppliedSpec` yet ⇒ changed;
 * equal to `lastPromotedSpec` ⇒ not changed (a manual revert to the running stable version never starts a
 * canary); otherwise changed when it differs from `lastAppliedSpec`.
 *
 * parity: Flagger pkg/canary/spec.go hasSpecChanged, same three rules in the same order.
 */
export function hasTargetChanged(currentHash: string, status: { lastAppliedSpec?: string; lastPromotedSpec?: string }): boolean {
  if (!status.lastAppliedSpec) return true;
  if (status.lastPromotedSpec === currentHash) return false;
  return status.lastAppliedSpec !== currentHash;
}

/**
 * Whether the tracked ConfigMaps/Secrets changed (spec §2.3): keys are `configmap/<name>` and
 * `secret/<name>`, values their {@link configChecksum}. Changed when configs exist but nothing was tracked
 * yet, when the number of configs differs, or when any checksum differs. There is no "equals last promoted"
 * exemption.
 *
 * parity: Flagger pkg/canary/config_tracker.go HasConfigChanged.
 */
export function haveConfigsChanged(current: Record<string, string>, tracked: Record<string, string> | undefined): boolean {
  const currentKeys = Object.keys(current);
  if (!tracked) return currentKeys.length > 0;
  if (currentKeys.length !== Object.keys(tracked).length) return true;
  return currentKeys.some((key) => tracked[key] !== current[key]);
}

/**
 * The primary's `flagger-id` for the promotion of one revision by one Canary, shaped like a UUID. A new id
 * forces the primary to roll; deriving it from what is promoted (instead of drawing a random one) lets a
 * promotion interrupted before its status was saved be recognised on the primary and not copied again.
 * Two different revisions (template or tracked configs) always get different ids; promoting the same one
 * twice in a row gets the same id, and the copy is then skipped.
 *
 * Example: `promotionId('c0ffee…', 'a1b2…', {})` → `'3f0c…-…'` (8-4-4-4-12 hex digits), the same in every process.
 */
export function promotionId(canaryUid: string, templateHash: string, trackedConfigs: Record<string, string>): string {
  const hex = createHash('sha256').update(canonicalJson({ canaryUid, templateHash, trackedConfigs })).digest('hex');
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20, 32)].join('-');
}
