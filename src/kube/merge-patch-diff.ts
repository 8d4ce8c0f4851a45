import { canonicalJson } from '../core/revision.js';

type Json = unknown;

function isPlainObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The JSON merge patch (RFC 7386) that turns `before` into `after`, or `undefined` when they are equal.
 * Objects are diffed key by key (a removed key becomes `null`), anything else (arrays included) is replaced
 * whole when it differs.
 *
 * Example: before `{ phase: 'Initialized', trackedConfigs: { 'configmap/a': 'x', 'secret/b': 'y' } }`,
 * after `{ phase: 'Progressing', trackedConfigs: { 'configmap/a': 'x' } }`
 * → `{ phase: 'Progressing', trackedConfigs: { 'secret/b': null } }`.
 */
export function mergePatchDiff(before: Json, after: Json): Json {
  if (!isPlainObject(before) || !isPlainObject(after)) {
    return canonicalJson(before) === canonicalJson(after) ? undefined : (after ?? null);
  }
  const patch = { ...changedKeys(before, after), ...removedKeys(before, after) };
  return Object.keys(patch).length === 0 ? undefined : patch;
}

function changedKeys(before: Record<string, Json>, after: Record<string, Json>): Record<string, Json> {
  const patch: Record<string, Json> = {};
  for (const [key, value] of Object.entries(after)) {
    const sub = value === undefined ? undefined : mergePatchDiff(before[key], value);
    if (sub !== undefined) patch[key] = sub;
  }
  return patch;
}

function removedKeys(before: Record<string, Json>, after: Record<string, Json>): Record<string, null> {
  const patch: Record<string, null> = {};
  for (const key of Object.keys(before)) {
    if (before[key] !== undefined && after[key] === undefined) patch[key] = null;
  }
  return patch;
}
