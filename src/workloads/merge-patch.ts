/**
 * Building blocks for JSON merge-patch bodies (RFC 7386): in a merge patch a map is merged key by key and a
 * `null` value deletes a key, while a list is replaced whole.
 */

/**
 * The merge-patch value that turns the map `existing` into `desired`: changed or added keys with their new
 * value, removed keys with `null`; `undefined` when the two maps are equal (an absent map equals `{}`).
 *
 * Example: existing `{ a: '1', b: '2' }`, desired `{ a: '1', b: '3', c: '4' }` → `{ b: '3', c: '4' }`;
 * existing `{ a: '1', x: '9' }`, desired `{ a: '1' }` → `{ x: null }`.
 */
export function mapPatch(
  existing: Record<string, string> | undefined,
  desired: Record<string, string> | undefined,
): Record<string, string | null> | undefined {
  const before = existing ?? {};
  const after = desired ?? {};
  const patch: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(after)) {
    if (before[key] !== value) patch[key] = value;
  }
  for (const key of Object.keys(before)) {
    if (!Object.hasOwn(after, key)) patch[key] = null;
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}
