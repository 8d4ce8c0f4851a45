/**
 * `analysis.canaryMatch` on NGINX (a Songbird extension, see api/canary-match.ts): ingress-nginx's own
 * request rules on the canary Ingress, which it applies before the weight. A header becomes
 * `canary-by-header` with `-value` (exact) or `-pattern` (regex, or an anchored prefix); a cookie becomes
 * `canary-by-cookie` (ingress-nginx sends a request whose cookie is `always` to the canary, the value
 * canaryMatch means). Written only while the canary weight is above 0 (see `canaryAnnotations`). Pure.
 */
import type { Canary } from '../../api/canary.js';
import { canonicalJson } from '../../core/revision.js';
import type { Ingress } from '../../kube/resources.js';
import { RouterConfigError } from '../../errors.js';

type Annotations = Record<string, string>;

/** The header annotations a user may set on the source Ingress, which a weighted run keeps. */
export const userHeaderSuffixes = ['canary-by-header', 'canary-by-header-value', 'canary-by-header-pattern'] as const;

/** `text` with every regex metacharacter escaped. Example: `v1.2` → `v1\.2`. */
export function escapePattern(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The annotations of the Canary's canaryMatch, `{}` without one. Example: header `x-canary` prefix `on` →
 * `{canary-by-header: x-canary, canary-by-header-pattern: ^on.*}`; cookie `canary` → `{canary-by-cookie: canary}`.
 */
export function canaryMatchAnnotations(canary: Canary, prefix: string): Annotations {
  const match = canary.spec.analysis.canaryMatch;
  if (match?.cookie !== undefined) return { [`${prefix}/canary-by-cookie`]: match.cookie.name };
  if (match?.header === undefined) return {};
  const { name, exact, prefix: start, regex } = match.header;
  const byHeader = { [`${prefix}/canary-by-header`]: name };
  if (exact !== undefined) return { ...byHeader, [`${prefix}/canary-by-header-value`]: exact };
  return { ...byHeader, [`${prefix}/canary-by-header-pattern`]: regex ?? `^${escapePattern(start ?? '')}.*` };
}

/**
 * The user's own `canary-by-header*` annotations on the source Ingress, kept in a weighted run; throws,
 * naming `spec.analysis.canaryMatch`, when the Canary's canaryMatch asks for another header rule (a canary
 * Ingress has one). The same rule written in both places is no conflict; a canaryMatch cookie sits beside a
 * user's header rule (ingress-nginx tries the header first, then the cookie).
 */
export function userHeaderAnnotations(canary: Canary, source: Ingress, prefix: string): Annotations {
  const annotations = source.metadata.annotations ?? {};
  const users = Object.fromEntries(userHeaderSuffixes.flatMap((suffix) => {
    const value = annotations[`${prefix}/${suffix}`];
    return value === undefined ? [] : [[`${prefix}/${suffix}`, value] as const];
  }));
  const header = canary.spec.analysis.canaryMatch?.header;
  if (header === undefined || Object.keys(users).length === 0) return users;
  if (canonicalJson(users) === canonicalJson(canaryMatchAnnotations(canary, prefix))) return users;
  throw new RouterConfigError('spec.analysis.canaryMatch.header', `Ingress ${source.metadata.name}.${source.metadata.namespace ?? ''} sets ` +
    `${Object.keys(users).join(', ')} itself, and a canary Ingress has one header rule: remove those annotations or canaryMatch.header`);
}
