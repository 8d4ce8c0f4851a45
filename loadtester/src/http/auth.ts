import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * True when the `Authorization` header carries `Bearer <token>`. Compared through SHA-256 digests with
 * `timingSafeEqual`, so neither the token's content nor its length leaks through timing.
 */
export function hasBearerToken(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (match === null) return false;
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(match[1] ?? ''), digest(token));
}
