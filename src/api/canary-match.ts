/**
 * `spec.analysis.canaryMatch`, a Songbird extension: the requests that always reach the canary while it
 * gets traffic, so that a tester can reach the new version on purpose during a weighted run. Flagger has
 * no such field (NGINX users get it through ingress-nginx's own `canary-by-header` annotations only).
 *
 * Either one header (`name` plus exactly one of `exact`, `prefix`, `regex`) or one cookie (`name`; the
 * request goes to the canary when that cookie's value is `always`, as ingress-nginx's `canary-by-cookie`).
 * While the canary weight is above 0 a matching request goes to the canary; at weight 0 (before and
 * between runs, at the mirror step, and in Blue/Green before the switch) the match is not written at all,
 * so no request reaches canary pods that are scaled down or not yet analysed.
 */
import { z } from 'zod';
import { celRules } from './common.js';
import { maxMapValueLength, maxShortStringLength } from './limits.js';
import { analysisRules, serviceRules } from './rules.js';

/**
 * An HTTP token (RFC 9110 §5.6.2): what a header or cookie name may be made of. Anything else could not
 * be matched by a proxy, or would break the cookie regex and the annotations the routers write.
 */
export const httpTokenPattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const tokenName = (what: string): z.ZodString =>
  z.string().min(1).regex(httpTokenPattern).meta({ maxLength: maxShortStringLength }).describe(`Name of the ${what} (an HTTP token)`);

const matchValue = z.string().min(1).meta({ maxLength: maxMapValueLength });

/** The header form of `canaryMatch`: a header name and exactly one of exact, prefix or regex. */
export const canaryHeaderMatchSchema = z.object({
  name: tokenName('request header'),
  exact: matchValue.optional().describe('The header value equals this'),
  prefix: matchValue.optional().describe('The header value starts with this'),
  regex: matchValue.optional().describe('The header value matches this RE2 regex as a whole (not supported by the alb provider)'),
}).meta(celRules(serviceRules.exactlyOneStringMatch));

/** The cookie form of `canaryMatch`: the request carries the cookie `<name>=always`. */
export const canaryCookieMatchSchema = z.object({
  name: tokenName('cookie'),
});

/** `spec.analysis.canaryMatch`: exactly one of `header` or `cookie`. */
export const canaryMatchSchema = z.object({
  header: canaryHeaderMatchSchema.optional().describe('Requests with this header go to the canary'),
  cookie: canaryCookieMatchSchema.optional().describe('Requests with the cookie <name>=always go to the canary'),
}).meta(celRules(analysisRules.canaryMatchOneKind));

/** `spec.analysis.canaryMatch`. */
export type CanaryMatch = z.infer<typeof canaryMatchSchema>;

/** The value a `canaryMatch.cookie` must have for the request to reach the canary. */
export const canaryCookieValue = 'always';
