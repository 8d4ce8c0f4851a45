/**
 * Cross-field rules of the `flagger.app` API: the CEL expression the apiserver evaluates at admission
 * (`x-kubernetes-validations`, attached to the schema node in the zod schemas) and the message both the
 * apiserver and the controller (`validate.ts`) report. Keeping them together means a rule and its message
 * are written once.
 *
 * The apiserver prefixes each message with the path of the node carrying the rule (or `fieldPath`), e.g.
 * `spec.analysis: Invalid value: "object": exactly one of iterations, stepWeight or stepWeights must be set`.
 * Every rule guards optional fields with `has()`, because CRD defaults are not used (design C4).
 *
 * parity: Flagger artifacts/flagger/crd.yaml admits more than these rules do, but only specs Flagger then
 * cannot run: it fails them at run time ("ingress selector is empty", "GatewayRefs must be specified", an
 * undefined metric, a webhook POST to a relative URL), rejects them in verifyCanary (Knative, cookie names),
 * or gets stuck (a ladder that is not increasing repeats a step, min > max never passes). Every manifest of
 * Flagger's docs and e2e tests is still admitted (test/fixtures/flagger-examples).
 */
import type { CelRule } from './common.js';

/** True when the target is a Knative Service (`serving.knative.dev/*`, kind `Service`). */
const knativeTarget = "(self.targetRef.kind == 'Service' && self.targetRef.apiVersion.startsWith('serving.knative.dev/'))";

/** How many of the given optional fields are set, as a CEL integer expression. */
function countSet(fields: readonly string[]): string {
  return fields.map((f) => `(has(self.${f}) ? 1 : 0)`).join(' + ');
}

/** Rules on `spec` (provider-specific requirements). */
export const specRules = {
  nginxNeedsIngressRef: {
    rule: "!has(self.provider) || self.provider != 'nginx' || has(self.ingressRef)",
    message: 'ingressRef is required when provider is nginx',
    fieldPath: '.ingressRef',
    reason: 'FieldValueRequired',
  },
  albNeedsIngressRef: {
    rule: "!has(self.provider) || self.provider != 'alb' || has(self.ingressRef)",
    message: 'ingressRef is required when provider is alb',
    fieldPath: '.ingressRef',
    reason: 'FieldValueRequired',
  },
  gatewayApiNeedsGatewayRefs: {
    rule: "!has(self.provider) || !self.provider.startsWith('gatewayapi') || "
      + '(has(self.service) && has(self.service.gatewayRefs) && size(self.service.gatewayRefs) > 0)',
    message: 'service.gatewayRefs is required when provider is gatewayapi',
    fieldPath: '.service',
    reason: 'FieldValueRequired',
  },
  knativeProviderMatchesTarget: {
    rule: `!has(self.provider) || ((self.provider == 'knative') == ${knativeTarget})`,
    message: 'provider knative requires a Knative Service target (serving.knative.dev) and a Knative Service target requires provider knative',
    fieldPath: '.provider',
  },
  knativeHasNoAutoscaler: {
    rule: `!${knativeTarget} || !has(self.autoscalerRef)`,
    message: 'autoscalerRef is not supported with a Knative Service target',
    fieldPath: '.autoscalerRef',
    reason: 'FieldValueForbidden',
  },
  daemonSetHasNoAutoscaler: {
    rule: "self.targetRef.kind != 'DaemonSet' || !has(self.autoscalerRef)",
    message: 'autoscalerRef is not supported with a DaemonSet target: a DaemonSet runs one pod per node and cannot be scaled',
    fieldPath: '.autoscalerRef',
    reason: 'FieldValueForbidden',
  },
} as const satisfies Record<string, CelRule>;

/** Rules on `spec.analysis` and its parts. */
export const analysisRules = {
  exactlyOneStrategy: {
    rule: `${countSet(['iterations', 'stepWeight', 'stepWeights'])} == 1`,
    message: 'exactly one of iterations, stepWeight or stepWeights must be set',
  },
  stepWeightsIncreasing: {
    rule: 'self.isSorted() && self.all(w, self.indexOf(w) == self.lastIndexOf(w))',
    message: 'stepWeights must be strictly increasing',
  },
  cookieNamesDiffer: {
    rule: '!has(self.primaryCookieName) || self.primaryCookieName != self.cookieName',
    message: 'primaryCookieName must differ from cookieName',
    fieldPath: '.primaryCookieName',
  },
  metricHasSource: {
    rule: "self.name in ['request-success-rate', 'request-duration'] || has(self.templateRef) || has(self.query)",
    message: 'a metric other than request-success-rate or request-duration needs templateRef or query',
  },
  thresholdRangeOrdered: {
    rule: '!has(self.min) || !has(self.max) || self.min <= self.max',
    message: 'min must not be greater than max',
  },
  canaryMatchOneKind: {
    rule: `${countSet(['header', 'cookie'])} == 1`,
    message: 'exactly one of header or cookie must be set',
  },
  canaryMatchWithoutAbMatch: {
    rule: '!has(self.canaryMatch) || !has(self.match) || size(self.match) == 0',
    message: 'canaryMatch cannot be combined with match: an A/B test already sends the requests it matches to the canary',
    fieldPath: '.canaryMatch',
  },
  webhookUrl: {
    rule: "isURL(self.url) && url(self.url).getScheme() in ['http', 'https']",
    message: 'url must be an absolute http or https URL',
    fieldPath: '.url',
  },
} as const satisfies Record<string, CelRule>;

/** Rules on `spec.service`, `spec.autoscalerRef` and the Istio / Gateway API shaped sub-objects. */
export const serviceRules = {
  delegationWithoutHostsOrGateways: {
    rule: '!has(self.delegation) || !self.delegation || '
      + '((!has(self.hosts) || size(self.hosts) == 0) && (!has(self.gateways) || size(self.gateways) == 0))',
    message: 'hosts and gateways must be empty when delegation is true',
  },
  scalerReplicasOrdered: {
    rule: '!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas',
    message: 'minReplicas must not be greater than maxReplicas',
  },
  mirrorServiceNeedsPort: {
    rule: "(has(self.group) && self.group != '') || (has(self.kind) && self.kind != 'Service') || has(self.port)",
    message: 'port is required for a Service backendRef',
  },
  atMostOneStringMatch: {
    rule: `${countSet(['exact', 'prefix', 'regex'])} <= 1`,
    message: 'at most one of exact, prefix or regex may be set',
  },
  exactlyOneStringMatch: {
    rule: `${countSet(['exact', 'prefix', 'regex'])} == 1`,
    message: 'exactly one of exact, prefix or regex must be set',
  },
  exactlyOneHeaderMatch: {
    rule: `${countSet(['exact', 'prefix', 'suffix', 'regex'])} == 1`,
    message: 'exactly one of exact, prefix, suffix or regex must be set',
  },
} as const satisfies Record<string, CelRule>;

/** Rules on the AlertProvider spec. */
export const alertProviderRules = {
  addressOrSecret: {
    rule: 'has(self.address) || has(self.secretRef)',
    message: 'one of address or secretRef must be set',
  },
} as const satisfies Record<string, CelRule>;
