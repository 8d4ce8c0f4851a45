/**
 * Checks the controller runs before acting on a Canary, as pure functions returning `{field, message}`
 * problems; the controller turns a non-empty list into a Stalled condition (`stalledCondition` in
 * conditions.ts) and does not act on the Canary until the spec changes.
 *
 * Two kinds of checks: those the apiserver cannot do (they depend on the operator's flags, e.g. the default
 * provider, implemented providers, `--no-cross-namespace-refs`), and repeats of the CEL admission rules in
 * rules.ts, because a Canary may have been stored without them (created under Flagger's own CRD, or before
 * the CRD was upgraded). `canaryWarnings` lists settings Flagger tolerates with a fallback.
 */
import type { z } from 'zod';
import { alertProviderSchema, type AlertProvider, type AlertProviderType } from './alert-provider.js';
import { canarySchema, type Canary, type CanaryProvider } from './canary.js';
import { deploymentStrategy, isKnativeTarget, resolveProvider } from './defaults.js';
import { metricTemplateSchema, type MetricProviderType, type MetricTemplate } from './metric-template.js';
import { alertProviderRules, specRules } from './rules.js';
import type { Problem } from './problem.js';
import { serviceAndAnalysisProblems } from './validate-spec.js';

export type { Problem } from './problem.js';

/** What the checks need to know about the operator. */
export interface CanaryValidationOptions {
  /** The operator's `--mesh-provider`, used when `spec.provider` is omitted. */
  readonly meshProvider: CanaryProvider;
  /** Providers the operator implements; any other resolved provider is a problem (never a fallback). */
  readonly implementedProviders: ReadonlySet<CanaryProvider>;
  /** `--no-cross-namespace-refs`: references must stay in the Canary's namespace. */
  readonly noCrossNamespaceRefs?: boolean;
}

/** Result of parsing an object read from the apiserver. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

/** `spec.analysis.webhooks[0].url` from zod's `['spec', 'analysis', 'webhooks', 0, 'url']`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? String(key) : `${text}.${String(key)}`), '');
}

function parseWith<T>(schema: z.ZodType<T>, input: unknown): Parsed<T> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: result.error.issues.map((i) => ({ field: fieldPath(i.path), message: i.message })) };
}

/** Parses a Canary as read from the apiserver; schema violations become problems. */
export function parseCanary(input: unknown): Parsed<Canary> {
  return parseWith(canarySchema, input);
}

/** Parses a MetricTemplate as read from the apiserver; schema violations become problems. */
export function parseMetricTemplate(input: unknown): Parsed<MetricTemplate> {
  return parseWith(metricTemplateSchema, input);
}

/** Parses an AlertProvider as read from the apiserver; schema violations become problems. */
export function parseAlertProvider(input: unknown): Parsed<AlertProvider> {
  return parseWith(alertProviderSchema, input);
}

/**
 * Every problem that stops the controller from acting on a parsed Canary; empty when it can proceed.
 *
 * parity: Flagger pkg/controller/controller.go verifyCanary checks cross-namespace references, Knative
 * target/provider agreement and distinct cookie names; the rest are Flagger runtime errors (e.g. "ingress
 * selector is empty") or silent fallbacks (unknown provider → Istio) that Songbird reports up front.
 */
export function validateCanary(canary: Canary, options: CanaryValidationOptions): Problem[] {
  return [
    ...providerProblems(canary, options),
    ...serviceAndAnalysisProblems(canary),
    ...crossNamespaceProblems(canary, options),
  ];
}

function providerProblems(canary: Canary, options: CanaryValidationOptions): Problem[] {
  const provider = resolveProvider(canary, options.meshProvider);
  const source = canary.spec.provider === undefined ? ' (from --mesh-provider)' : '';
  const problems: Problem[] = [];
  if (!options.implementedProviders.has(provider)) {
    problems.push({ field: 'spec.provider', message: `provider ${provider}${source} is not implemented yet` });
  }
  problems.push(...ingressRefProblems(canary, provider));
  if (provider.startsWith('gatewayapi') && (canary.spec.service?.gatewayRefs ?? []).length === 0) {
    problems.push({ field: 'spec.service', message: specRules.gatewayApiNeedsGatewayRefs.message });
  }
  if ((provider === 'knative') !== isKnativeTarget(canary)) {
    problems.push({ field: 'spec.provider', message: specRules.knativeProviderMatchesTarget.message });
  }
  problems.push(...mirrorProblems(canary, provider), ...canaryMatchProviderProblems(canary, provider));
  return problems;
}

/** What a provider cannot do with `analysis.canaryMatch` (a Songbird extension, see canary-match.ts). */
function canaryMatchProviderProblems(canary: Canary, provider: CanaryProvider): Problem[] {
  const match = canary.spec.analysis.canaryMatch;
  if (match === undefined) return [];
  const field = 'spec.analysis.canaryMatch';
  if (provider === 'kubernetes') return [{ field, message: 'the kubernetes provider routes no traffic, so it cannot send matching requests to the canary' }];
  if (provider === 'alb' && match.header?.regex !== undefined) {
    return [{ field: `${field}.header.regex`, message: 'the alb provider matches exact values and prefixes, not regular expressions' }];
  }
  if (provider === 'istio' && canary.spec.service?.appProtocol?.toLowerCase() === 'tcp') {
    return [{ field, message: 'a TCP service (service.appProtocol tcp) has no requests to match on headers or cookies' }];
  }
  return [];
}

function ingressRefProblems(canary: Canary, provider: CanaryProvider): Problem[] {
  if (canary.spec.ingressRef !== undefined) return [];
  if (provider === 'nginx') return [{ field: 'spec.ingressRef', message: specRules.nginxNeedsIngressRef.message }];
  return provider === 'alb' ? [{ field: 'spec.ingressRef', message: specRules.albNeedsIngressRef.message }] : [];
}

/** parity: Flagger quirk §12.14, a mirrored canary-strategy run loops at weight 0 on any provider but Istio. */
function mirrorProblems(canary: Canary, provider: CanaryProvider): Problem[] {
  if (canary.spec.analysis.mirror === true && provider === 'alb') {
    return [{ field: 'spec.analysis.mirror', message: 'the alb provider cannot mirror traffic (an ALB forwards each request to one target group)' }];
  }
  if (canary.spec.analysis.mirror !== true || deploymentStrategy(canary) !== 'canary' || provider === 'istio') return [];
  return [{ field: 'spec.analysis.mirror', message: `mirroring with stepWeight or stepWeights is only supported by the istio provider, not ${provider}` }];
}

function crossNamespaceProblems(canary: Canary, options: CanaryValidationOptions): Problem[] {
  if (options.noCrossNamespaceRefs !== true) return [];
  const own = canary.metadata.namespace;
  const foreign = (namespace: string | undefined): boolean => namespace !== undefined && namespace !== '' && namespace !== own;
  const problems: Problem[] = [];
  const message = 'cross-namespace references are disabled (--no-cross-namespace-refs)';
  if (foreign(canary.spec.upstreamRef?.namespace)) problems.push({ field: 'spec.upstreamRef.namespace', message });
  (canary.spec.analysis.metrics ?? []).forEach((m, i) => {
    if (foreign(m.templateRef?.namespace)) problems.push({ field: `spec.analysis.metrics[${i}].templateRef.namespace`, message });
  });
  (canary.spec.analysis.alerts ?? []).forEach((a, i) => {
    if (foreign(a.providerRef.namespace)) problems.push({ field: `spec.analysis.alerts[${i}].providerRef.namespace`, message });
  });
  return problems;
}

/** Problems of a parsed MetricTemplate: a provider type the operator does not implement. */
export function validateMetricTemplate(template: MetricTemplate, implemented: ReadonlySet<MetricProviderType>): Problem[] {
  const type = template.spec.provider.type;
  return implemented.has(type) ? [] : [{ field: 'spec.provider.type', message: `metric provider ${type} is not implemented yet` }];
}

/** Problems of a parsed AlertProvider: a type the operator does not implement, or no hook address at all. */
export function validateAlertProvider(provider: AlertProvider, implemented: ReadonlySet<AlertProviderType>): Problem[] {
  const { type, address, secretRef } = provider.spec;
  const problems: Problem[] = [];
  if (!implemented.has(type)) problems.push({ field: 'spec.type', message: `alert provider ${type} is not implemented yet` });
  if (address === undefined && secretRef === undefined) problems.push({ field: 'spec', message: alertProviderRules.addressOrSecret.message });
  return problems;
}
