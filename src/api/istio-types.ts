/**
 * Istio-shaped parts of the Canary spec (`service.match`, `headers`, `retries`, `rewrite`, `corsPolicy`,
 * `trafficPolicy` and the A/B `analysis.match`), modelled field by field after Flagger's CRD so that nothing a
 * Flagger manifest sets is pruned. `trafficPolicy` is copied verbatim into DestinationRules, so its subtree
 * also keeps fields this schema does not list (`x-kubernetes-preserve-unknown-fields`); Istio's own CRD
 * validates them when the router writes the DestinationRule.
 */
import { z } from 'zod';
import { boundedStringMap, celRules, routeDuration, shortString, shortStringList } from './common.js';
import { maxMapValueLength, maxRouteRetryAttempts, maxRouteTimeout } from './limits.js';
import { serviceRules } from './rules.js';

/**
 * Bounds that keep the CEL cost of the string-match rules within the apiserver's budget.
 *
 * parity: Flagger artifacts/flagger/crd.yaml validates string matches with `oneOf` and has no bounds; the
 * CEL rules below say the same thing with a message, and 64 matches or keys is far above real use.
 */
const maxMatches = 64;
const maxMatchKeys = 64;

/** A matched value, bounded at admission (a header value or URI prefix is far shorter). */
const matchValue = z.string().meta({ maxLength: maxMapValueLength });

const stringMatchShape = {
  exact: matchValue.optional(),
  prefix: matchValue.optional(),
  regex: matchValue.optional().describe('RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)'),
};

/** Istio StringMatch: at most one of exact, prefix or regex. */
export const stringMatchSchema = z.object(stringMatchShape).meta(celRules(serviceRules.atMostOneStringMatch));

/** Istio StringMatch where exactly one of exact, prefix or regex is set (CORS `allowOrigins`). */
export const requiredStringMatchSchema = z.object(stringMatchShape).meta(celRules(serviceRules.exactlyOneStringMatch));

const stringMatchMap = z.record(z.string(), stringMatchSchema).meta({ maxProperties: maxMatchKeys });

/** Istio HTTPMatchRequest (`spec.service.match[]`). */
export const httpMatchRequestSchema = z.object({
  name: shortString.optional().describe('The name assigned to a match'),
  uri: stringMatchSchema.optional(),
  scheme: stringMatchSchema.optional(),
  method: stringMatchSchema.optional(),
  authority: stringMatchSchema.optional(),
  headers: stringMatchMap.optional(),
  queryParams: stringMatchMap.optional().describe('Query parameters for matching'),
  withoutHeaders: stringMatchMap.optional().describe('Same syntax as headers, with the opposite meaning'),
  ignoreUriCase: z.boolean().optional().describe('Whether the URI matching is case-insensitive'),
  port: z.int().optional().describe('Port on the host that is being addressed'),
  sourceLabels: boundedStringMap.optional(),
  sourceNamespace: shortString.optional().describe('Namespace of the workloads this rule applies to'),
  gateways: shortStringList.optional().describe('Names of gateways where the rule should be applied'),
});

/** Istio HTTPMatchRequest. */
export type HttpMatchRequest = z.infer<typeof httpMatchRequestSchema>;

/** List of `spec.service.match` entries. */
export const httpMatchListSchema = z.array(httpMatchRequestSchema).max(maxMatches);

/** Header matcher of an A/B condition: exactly one of exact, prefix, suffix or regex. */
export const headerMatchSchema = z.object({
  ...stringMatchShape,
  suffix: matchValue.optional(),
}).meta(celRules(serviceRules.exactlyOneHeaderMatch));

/**
 * One A/B routing condition (`spec.analysis.match[]`): the headers, query parameters and source labels that
 * send a request to the canary. Query parameters allow exact, prefix and regex only (spec §13).
 */
export const abMatchSchema = z.object({
  headers: z.record(z.string(), headerMatchSchema).meta({ maxProperties: maxMatchKeys }).optional(),
  queryParams: stringMatchMap.optional().describe('Query parameters for matching'),
  sourceLabels: boundedStringMap.optional().describe("Applicable only when the 'mesh' gateway is included in service.gateways"),
});

/** One A/B routing condition. */
export type AbMatch = z.infer<typeof abMatchSchema>;

/** List of `spec.analysis.match` entries. */
export const abMatchListSchema = z.array(abMatchSchema).max(maxMatches);

const headerOperationsSchema = z.object({
  add: boundedStringMap.optional(),
  set: boundedStringMap.optional(),
  remove: shortStringList.optional(),
});

/** Istio Headers: request and response header operations. */
export const headersSchema = z.object({
  request: headerOperationsSchema.optional(),
  response: headerOperationsSchema.optional(),
});

/** Istio HTTPRetry. */
export const retriesSchema = z.object({
  attempts: z.int32().meta({ maximum: maxRouteRetryAttempts, format: 'int32' }).optional().describe(`Number of retries for a given request (at most ${maxRouteRetryAttempts})`),
  perTryTimeout: routeDuration('perTryTimeout').optional().describe(`Timeout per retry attempt for a given request (at most ${maxRouteTimeout})`),
  retryOn: shortString.optional().describe('Conditions under which a retry takes place'),
});

/** HTTP rewrite (Istio HTTPRewrite; Gateway API URLRewrite, where `type` may be `ReplacePrefixMatch`). */
export const rewriteSchema = z.object({
  uri: matchValue.optional(),
  authority: shortString.optional(),
  type: shortString.optional(),
});

/** Istio CorsPolicy. */
export const corsPolicySchema = z.object({
  allowOrigin: shortStringList.optional().describe('Origins allowed to perform CORS requests (deprecated by Istio)'),
  allowOrigins: z.array(requiredStringMatchSchema).max(maxMatches).optional().describe('String patterns that match allowed origins'),
  allowMethods: shortStringList.optional().describe('HTTP methods allowed to access the resource'),
  allowHeaders: shortStringList.optional(),
  exposeHeaders: shortStringList.optional(),
  maxAge: routeDuration('maxAge').optional(),
  allowCredentials: z.boolean().optional(),
});

const connectionPoolSchema = z.looseObject({
  http: z.looseObject({
    h2UpgradePolicy: z.enum(['DEFAULT', 'DO_NOT_UPGRADE', 'UPGRADE']).optional(),
    http1MaxPendingRequests: z.int32().optional(),
    http2MaxRequests: z.int32().optional(),
    idleTimeout: z.string().optional(),
    maxRequestsPerConnection: z.int32().optional(),
    maxRetries: z.int32().optional(),
  }).optional().describe('HTTP connection pool settings'),
});

const loadBalancerSchema = z.looseObject({
  simple: z.enum(['ROUND_ROBIN', 'LEAST_CONN', 'RANDOM', 'PASSTHROUGH', 'LEAST_REQUEST']).optional(),
  consistentHash: z.looseObject({
    httpHeaderName: z.string().optional(),
    httpCookie: z.looseObject({ name: z.string().optional(), path: z.string().optional(), ttl: z.string().optional() }).optional(),
    useSourceIp: z.boolean().optional(),
    httpQueryParameterName: z.string().optional(),
    minimumRingSize: z.int().optional(),
  }).optional(),
  localityLbSetting: z.looseObject({
    enabled: z.boolean().optional(),
    distribute: z.array(z.looseObject({ from: z.string().optional(), to: z.record(z.string(), z.int()).optional() })).optional(),
    failover: z.array(z.looseObject({ from: z.string().optional(), to: z.string().optional() })).optional(),
  }).optional(),
  warmupDurationSecs: z.string().optional(),
});

const outlierDetectionSchema = z.looseObject({
  baseEjectionTime: z.string().optional(),
  consecutive5xxErrors: z.int().optional(),
  consecutiveErrors: z.int32().optional(),
  consecutiveGatewayErrors: z.int32().optional(),
  consecutiveLocalOriginFailures: z.int32().optional(),
  interval: z.string().optional(),
  maxEjectionPercent: z.int32().optional(),
  minHealthPercent: z.int32().optional(),
  splitExternalLocalOriginErrors: z.boolean().optional(),
});

const clientTlsSchema = z.looseObject({
  mode: z.enum(['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL']).optional(),
  caCertificates: z.string().optional(),
  clientCertificate: z.string().optional(),
  privateKey: z.string().optional(),
  sni: z.string().optional(),
  subjectAltNames: z.array(z.string()).optional(),
});

/**
 * Istio TrafficPolicy, copied verbatim into the primary and canary DestinationRules. Listed fields are
 * validated; other Istio fields (e.g. `connectionPool.tcp`, `portLevelSettings`) are kept, not pruned.
 */
export const trafficPolicySchema = z.looseObject({
  connectionPool: connectionPoolSchema.optional(),
  loadBalancer: loadBalancerSchema.optional(),
  outlierDetection: outlierDetectionSchema.optional(),
  tls: clientTlsSchema.optional(),
});

/** Istio TrafficPolicy. */
export type TrafficPolicy = z.infer<typeof trafficPolicySchema>;
