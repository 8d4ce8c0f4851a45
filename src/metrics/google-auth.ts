/**
 * OAuth 2.0 access tokens for Google Cloud APIs: from a service-account key (a self-signed RS256 JWT
 * exchanged at the key's `token_uri`, RFC 7523) or, without a key, from the metadata server of the node
 * (GKE Workload Identity). Tokens are kept until a minute before they expire.
 */
import { createPrivateKey, createSign } from 'node:crypto';
import { MetricConfigError, QueryError } from './errors.js';
import type { HttpClient } from './http-client.js';
import { excerpt, hostedTimeoutMs, httpStatusError } from './template-provider.js';

/** Read-only access to Cloud Monitoring is all the metric checks need. */
export const monitoringReadScope = 'https://www.googleapis.com/auth/monitoring.read';
/** The metadata server of GCE and GKE nodes; `GCE_METADATA_HOST` overrides it, as in Google's own libraries. */
export const defaultMetadataHost = 'metadata.google.internal';
const jwtBearerGrant = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const defaultTokenUri = 'https://oauth2.googleapis.com/token';
// A token is renewed this long before Google says it expires, so a query never carries a stale one.
const renewBeforeMs = 60_000;
const assertionLifetimeSeconds = 3600;

/** The fields of a service-account key JSON file that are used. */
export interface ServiceAccountKey {
  readonly client_email: string;
  readonly private_key: string;
  readonly private_key_id?: string;
  readonly token_uri?: string;
}

/** Hands out a valid access token, fetching a new one when needed. */
export interface AccessTokenSource {
  token(): Promise<string>;
}

/**
 * Parses the Secret's `serviceAccountKey`; an unusable key (not JSON, a field missing, a private key that is
 * not a PEM key) is a configuration error naming what is wrong, raised when the provider is built.
 */
export function parseServiceAccountKey(json: string): ServiceAccountKey {
  let key: unknown;
  try {
    key = JSON.parse(json);
  } catch {
    throw new MetricConfigError('serviceAccountKey is not JSON (expected a Google service-account key file)');
  }
  const k = key as Partial<Record<keyof ServiceAccountKey, unknown>> | null;
  for (const field of ['client_email', 'private_key'] as const) {
    if (typeof k?.[field] !== 'string' || k[field] === '') throw new MetricConfigError(`serviceAccountKey has no ${field}`);
  }
  const parsed = key as ServiceAccountKey;
  try {
    createPrivateKey(parsed.private_key);
  } catch (error) {
    throw new MetricConfigError(`serviceAccountKey has an unusable private_key: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parsed;
}

/**
 * The signed assertion for `key`: `base64url(header).base64url(claims).base64url(RS256 signature)`.
 * Claims: `iss` the key's client_email, `scope`, `aud` the token URI, `iat` now and `exp` an hour later.
 */
export function signedAssertion(key: ServiceAccountKey, scope: string, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000);
  const header = { alg: 'RS256', typ: 'JWT', ...(key.private_key_id === undefined ? {} : { kid: key.private_key_id }) };
  const claims = { iss: key.client_email, scope, aud: key.token_uri ?? defaultTokenUri, iat, exp: iat + assertionLifetimeSeconds };
  const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  let signature: Buffer;
  try {
    signature = createSign('RSA-SHA256').update(unsigned).sign(key.private_key);
  } catch (error) {
    throw new MetricConfigError(`serviceAccountKey has an unusable private_key: ${error instanceof Error ? error.message : String(error)}`);
  }
  return `${unsigned}.${signature.toString('base64url')}`;
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** How tokens are obtained: a service-account key, or the metadata server at `metadataHost`. */
export type TokenSourceOptions =
  | { readonly key: ServiceAccountKey; readonly scope?: string }
  | { readonly metadataHost: string };

/**
 * An {@link AccessTokenSource} over the {@link HttpClient}.
 * Example: a token answered with `expires_in: 3599` at 10:00:00 is reused until 10:58:59.
 */
export function googleTokenSource(options: TokenSourceOptions, http: HttpClient, now: () => number): AccessTokenSource {
  let cached: { token: string; renewAt: number } | undefined;
  const fetchToken = 'key' in options
    ? () => exchangeAssertion(options.key, options.scope ?? monitoringReadScope, http, now())
    : () => metadataToken(options.metadataHost, http);
  return {
    async token() {
      if (cached !== undefined && now() < cached.renewAt) return cached.token;
      const started = now();
      const answer = await fetchToken();
      cached = { token: answer.accessToken, renewAt: started + answer.expiresInSeconds * 1000 - renewBeforeMs };
      return answer.accessToken;
    },
  };
}

interface TokenAnswer {
  readonly accessToken: string;
  readonly expiresInSeconds: number;
}

async function exchangeAssertion(key: ServiceAccountKey, scope: string, http: HttpClient, nowMs: number): Promise<TokenAnswer> {
  const tokenUri = key.token_uri ?? defaultTokenUri;
  const body = new URLSearchParams({ grant_type: jwtBearerGrant, assertion: signedAssertion(key, scope, nowMs) }).toString();
  const res = await http.post(tokenUri, body, {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, timeoutMs: hostedTimeoutMs,
  });
  return tokenAnswer(`Google token endpoint ${tokenUri}`, res.status, res.body);
}

async function metadataToken(host: string, http: HttpClient): Promise<TokenAnswer> {
  const url = `http://${host}/computeMetadata/v1/instance/service-accounts/default/token`;
  const res = await http.get(url, { headers: { 'Metadata-Flavor': 'Google' }, timeoutMs: hostedTimeoutMs });
  return tokenAnswer(`the metadata server ${host} (no serviceAccountKey in the Secret)`, res.status, res.body);
}

function tokenAnswer(source: string, status: number, body: string): TokenAnswer {
  if (status < 200 || status >= 300) throw httpStatusError(source, { status, body });
  let answer: { access_token?: unknown; expires_in?: unknown } | null;
  try {
    answer = JSON.parse(body) as typeof answer;
  } catch {
    answer = null;
  }
  if (typeof answer?.access_token !== 'string' || answer.access_token === '') {
    throw new QueryError(`${source} answered without an access_token: ${excerpt(body)}`);
  }
  const expires = typeof answer.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in : 0;
  return { accessToken: answer.access_token, expiresInSeconds: expires };
}
