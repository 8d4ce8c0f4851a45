/**
 * Upper bounds of every duration, count and size in the `flagger.app` API.
 *
 * Two places use them. The generated CRDs reject a larger value at admission, with the field's path in the
 * message (`maximum`, `maxLength`, `maxItems`, `maxProperties`, or a CEL rule for Go duration strings). The
 * operator reads stored objects *without* them (an object may have been stored under Flagger's CRD or
 * before these bounds existed), and clamps the values it turns into timers and retries where it uses them
 * (`defaults.ts`), reporting the clamp as a spec warning. So no stored object can overflow a timer, make a
 * webhook retry for hours, or make the status grow without bound, and none stops being served.
 *
 * Each bound is far above real use, so no production manifest meets it; the comment says what it protects.
 *
 * parity: Flagger artifacts/flagger/crd.yaml bounds none of these.
 */
import type { CelRule } from './cel-rule.js';

const second = 1_000;
const minute = 60 * second;
const hour = 60 * minute;
const day = 24 * hour;

/**
 * Longest `analysis.interval`: one day. A run of 10 steps then takes 10 days, longer than any release
 * waits; and every timer stays far below what Node's `setTimeout` holds (2^31 − 1 ms ≈ 24.8 days; a longer
 * delay fires after 1 ms, which would run the whole ladder in seconds).
 */
export const maxAnalysisIntervalMs = day;

/** Longest metric `interval` (the `{{ interval }}` range of a query): one day of samples per query. */
export const maxMetricIntervalMs = day;

/**
 * Longest webhook `timeout`: 30 minutes, room for a synchronous load test (`hey -z 20m`). With the
 * retries below, one hook call ends within 11 × 30 min plus backoff.
 */
export const maxWebhookTimeoutMs = 30 * minute;

/** Most webhook `retries`: 10, i.e. 11 attempts (the backoff doubles from 1 s to 30 s between them). */
export const maxWebhookRetries = 10;

/** Longest `progressDeadlineSeconds`: 7 days (default 600 s); a deadline is a timer too. */
export const maxProgressDeadlineSeconds = 7 * 24 * 3600;

/** Longest session-affinity cookie `maxAge`: 400 days, the cap browsers apply (RFC 6265bis). */
export const maxCookieMaxAgeSeconds = 400 * 24 * 3600;

/** Longest request timeout copied into routes (`service.timeout`, `retries.perTryTimeout`, CORS maxAge). */
export const maxRouteTimeout = '24h';

/** Most failed checks before rollback (`analysis.threshold`) and most `iterations`: 1000 checks. */
export const maxChecks = 1000;

/** Most Prometheus/Istio retry attempts copied into a route (`service.retries.attempts`). */
export const maxRouteRetryAttempts = 100;

/** Longest query (inline `query`, MetricTemplate `query`): 16 KiB; real templates are under 2 KiB. */
export const maxQueryLength = 16 * 1024;

/** Longest name of an object, a metric, a webhook or an alert (a DNS subdomain). */
export const maxNameLength = 253;

/** Longest namespace name (a DNS label). */
export const maxNamespaceLength = 63;

/** Longest URL (webhooks, metrics server, providers, proxies). */
export const maxUrlLength = 2048;

/** Longest short free-form string: a host, a gateway, a cookie attribute, a channel, a region. */
export const maxShortStringLength = 256;

/** Most entries of a user-supplied string map (webhook metadata, template variables, labels, headers). */
export const maxMapEntries = 64;

/** Longest value in such a map: 4 KiB, room for a load-test command line. */
export const maxMapValueLength = 4 * 1024;

/** Most entries of a plain list in `spec.service` (hosts, gateways, backends, header names, origins). */
export const maxServiceListItems = 64;

/** Longest Go duration string; bounds the CEL cost of the duration rules. */
export const maxDurationLength = 32;

/**
 * A Go duration CEL's `duration()` can read without overflowing: at most 4 parts of at most 5 digits,
 * e.g. `1h30m`, `1.5s`, `300ms` (4 × 99999h stays far below the int64 nanoseconds `duration()` holds).
 * Anything longer that still looks like a duration is above every bound here.
 */
const celReadableDuration = '^(([0-9]{1,5}([.][0-9]{0,9})?|[.][0-9]{1,9})(ns|us|µs|μs|ms|s|m|h)){1,4}$';

/** Any Go duration (`time.ParseDuration` syntax, unsigned). */
const celGoDuration = '^(([0-9]+([.][0-9]*)?|[.][0-9]+)(ns|us|µs|μs|ms|s|m|h))+$';

/** `86400000` ms → `24h`; `1800000` → `30m`; `90000` → `90s` (a whole number of the largest unit). */
export function formatBound(ms: number): string {
  if (ms % hour === 0) return `${ms / hour}h`;
  if (ms % minute === 0) return `${ms / minute}m`;
  return `${ms / second}s`;
}

/**
 * CEL rule: a Go duration string is at most `max`. A string that is not a Go duration passes this rule:
 * fields where Flagger falls back to a default for it keep doing so (see defaults.ts); fields that must
 * parse say so in their own rule or pattern.
 *
 * Example: `durationAtMost('interval', '24h')` admits `15s`, `1m30s`, `1440m` and rejects `1441m`,
 * `99999999999s` with "interval must be at most 24h".
 */
export function durationAtMost(field: string, max: string): CelRule {
  return {
    rule: `!self.matches('${celGoDuration}') || (self.matches('${celReadableDuration}') && duration(self) <= duration('${max}'))`,
    message: `${field} must be at most ${max}`,
  };
}

/** CEL rule: the string is a Go duration (e.g. `30s`, `1m30s`, `1.5h`) of at most `max`. */
export function goDurationAtMost(field: string, max: string): CelRule {
  return {
    rule: `self.matches('${celReadableDuration}') && duration(self) <= duration('${max}')`,
    message: `${field} must be a duration such as 30s or 1m30s, at most ${max}`,
  };
}

/**
 * Longest rendered query and check message kept in `status.lastMetricValues`: 1 KiB each, so the status
 * of a Canary with 100 metrics stays far below etcd's 1.5 MiB object limit however long its queries are.
 */
export const maxStatusTextBytes = 1024;

/**
 * Longest Event message: 1 KiB, the limit the apiserver enforces on events.k8s.io/v1 notes
 * (`NoteLengthLimit` in pkg/apis/core/validation/events.go), which core/v1 Events do not check.
 */
export const maxEventMessageBytes = 1024;

/** Longest status condition message: 32 KiB, the `maxLength` of metav1.Condition's message. */
export const maxConditionMessageBytes = 32 * 1024;

/**
 * `text` cut to at most `maxBytes` bytes of UTF-8, on a character boundary, ending in `…` when cut.
 *
 * Example: `truncateUtf8('abcdef', 6)` → `abcdef`; `truncateUtf8('abcdefg', 6)` → `abc…` (the ellipsis is
 * 3 bytes).
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const ellipsis = '…';
  let budget = maxBytes - Buffer.byteLength(ellipsis, 'utf8');
  let kept = '';
  // A character is at least one byte, so no more than `maxBytes` characters can fit.
  for (const char of text.slice(0, maxBytes)) {
    budget -= Buffer.byteLength(char, 'utf8');
    if (budget < 0) break;
    kept += char;
  }
  return `${kept}${ellipsis}`;
}
