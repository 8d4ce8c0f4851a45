/**
 * Read access to the objects webhooks and alerts need, by namespace and name. The operator answers these
 * from its watch caches (no API call per webhook or alert; a Secret is read and watched by name the first
 * time it is asked for); tests pass plain maps.
 */
import type { AlertProvider } from '../api/alert-provider.js';
import type { Canary } from '../api/canary.js';
import type { Secret } from '../kube/resources.js';

/** A Secret by namespace and name, or `undefined` when it does not exist. */
export type SecretLookup = (namespace: string, name: string) => Secret | undefined | Promise<Secret | undefined>;

/** A parsed Canary by namespace and name, or `undefined` when it does not exist or does not parse. */
export type CanaryLookup = (namespace: string, name: string) => Canary | undefined;

/** A parsed AlertProvider by namespace and name, or `undefined` when it does not exist or does not parse. */
export type AlertProviderLookup = (namespace: string, name: string) => AlertProvider | undefined;

/**
 * The value of one key of a Secret's `data`, base64-decoded as UTF-8; `undefined` when the key is absent.
 * Example: data `{ token: 'czNjcjN0' }` → `secretValue(secret, 'token')` = `'s3cr3t'`.
 */
export function secretValue(secret: Secret, key: string): string | undefined {
  const encoded = secret.data?.[key];
  return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
}
