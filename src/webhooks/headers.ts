/**
 * Request headers from a webhook's `headersSecretRef` (a Songbird extension, user-pain Top-15 item 12):
 * every key of the Secret's `data` is a header name, its base64-decoded value the header value.
 */
import type { SecretLookup } from './lookups.js';
import { secretValue } from './lookups.js';

/** Headers read from a Secret, or why they cannot be used. Reasons never contain a header value. */
export type SecretHeaders = { ok: true; headers: Record<string, string> } | { ok: false; reason: string };

// RFC 9110 token characters.
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// What Node accepts in a header value (visible ASCII, space, tab, obs-text); CR and LF are never allowed.
const invalidValueChar = /[^\t\x20-\x7e\x80-\xff]/;
// Headers the HTTP client owns; setting them from a Secret would corrupt the request.
const reservedNames = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);

/**
 * Headers for a hook: none without a Secret reference; otherwise every key of the Secret in `namespace`.
 * Values are trimmed, because `echo token | base64` leaves a trailing newline that no server would accept.
 *
 * Example: Secret `gate-auth` with data `{ Authorization: base64('Bearer abc\n') }` →
 * `{ ok: true, headers: { Authorization: 'Bearer abc' } }`; a missing Secret →
 * `{ ok: false, reason: 'headers Secret test/gate-auth not found' }`.
 */
export async function secretHeaders(secrets: SecretLookup, namespace: string, ref: { name: string } | undefined): Promise<SecretHeaders> {
  if (ref === undefined) return { ok: true, headers: {} };
  const where = `headers Secret ${namespace}/${ref.name}`;
  let secret: Awaited<ReturnType<SecretLookup>>;
  try {
    secret = await secrets(namespace, ref.name);
  } catch (error) {
    return { ok: false, reason: `${where} could not be read: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (secret === undefined) return { ok: false, reason: `${where} not found` };
  const headers: Record<string, string> = {};
  for (const key of Object.keys(secret.data ?? {}).sort()) {
    const value = (secretValue(secret, key) ?? '').trim();
    const problem = headerProblem(key, value);
    if (problem !== undefined) return { ok: false, reason: `${where}: key "${key}" ${problem}` };
    headers[key] = value;
  }
  return { ok: true, headers };
}

function headerProblem(name: string, value: string): string | undefined {
  if (!headerName.test(name)) return 'is not a valid header name';
  if (reservedNames.has(name.toLowerCase())) return 'names a header the HTTP client sets itself';
  if (invalidValueChar.test(value)) return 'has a value that is not a valid header value';
  return undefined;
}
