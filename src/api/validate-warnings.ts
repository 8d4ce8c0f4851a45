/**
 * Settings that Flagger accepts but quietly changes or ignores. They do not stop a Canary (Flagger runs such
 * manifests, so Songbird does too), but the controller reports them, e.g. as a Warning event once per spec
 * generation, so the fallback is never silent.
 */
import type { Canary, CanaryProvider } from './canary.js';
import { defaultAnalysisIntervalMs, deploymentStrategy, minAnalysisIntervalMs, resolveProvider, totalWeight } from './defaults.js';
import { parseGoDuration } from './duration.js';
import {
  formatBound, maxAnalysisIntervalMs, maxMetricIntervalMs, maxProgressDeadlineSeconds, maxWebhookRetries, maxWebhookTimeoutMs,
} from './limits.js';
import type { Problem } from './problem.js';

/** Providers that implement sticky sessions (`analysis.sessionAffinity`). */
const sessionAffinityProviders: ReadonlySet<CanaryProvider> = new Set(['istio', 'gatewayapi:v1', 'gatewayapi:v1beta1']);

/** Providers that mirror traffic during a Blue/Green run. */
const blueGreenMirrorProviders: ReadonlySet<CanaryProvider> = new Set(['istio', 'gatewayapi:v1', 'gatewayapi:v1beta1']);

/**
 * Warnings for a parsed Canary whose provider resolves with `meshProvider` as the default; empty when none.
 *
 * Example: interval `"5s"` → `{field: 'spec.analysis.interval', message: '"5s" is below the 10s minimum;
 * the analysis runs every 10s'}`.
 */
export function canaryWarnings(canary: Canary, meshProvider: CanaryProvider): Problem[] {
  const provider = resolveProvider(canary, meshProvider);
  return [
    ...intervalWarnings(canary),
    ...boundWarnings(canary),
    ...weightWarnings(canary),
    ...kubernetesProviderWarnings(canary, provider),
    ...ignoredFeatureWarnings(canary, provider),
  ];
}

/** parity: Flagger GetAnalysisInterval, unparsable intervals become 60s and short ones 10s (quirk §12.24). */
function intervalWarnings(canary: Canary): Problem[] {
  const interval = canary.spec.analysis.interval;
  const parsed = parseGoDuration(interval);
  const field = 'spec.analysis.interval';
  if (parsed === undefined) {
    return [{ field, message: `"${interval}" is not a duration; the analysis runs every ${defaultAnalysisIntervalMs / 1000}s` }];
  }
  if (parsed < minAnalysisIntervalMs) {
    return [{ field, message: `"${interval}" is below the ${minAnalysisIntervalMs / 1000}s minimum; the analysis runs every ${minAnalysisIntervalMs / 1000}s` }];
  }
  const max = formatBound(maxAnalysisIntervalMs);
  return parsed > maxAnalysisIntervalMs ? [{ field, message: `"${interval}" is above the ${max} maximum; the analysis runs every ${max}` }] : [];
}

/**
 * Values above the bounds of limits.ts, in an object stored before the CRD had them: the operator clamps
 * them where it uses them (defaults.ts), and says so here.
 */
function boundWarnings(canary: Canary): Problem[] {
  const { metrics = [], webhooks = [] } = canary.spec.analysis;
  const warnings: Problem[] = [];
  metrics.forEach((metric, i) => warnings.push(...durationAbove(`spec.analysis.metrics[${i}].interval`, metric.interval, maxMetricIntervalMs)));
  webhooks.forEach((hook, i) => {
    warnings.push(...durationAbove(`spec.analysis.webhooks[${i}].timeout`, hook.timeout, maxWebhookTimeoutMs));
    warnings.push(...countAbove(`spec.analysis.webhooks[${i}].retries`, hook.retries, maxWebhookRetries));
  });
  warnings.push(...countAbove('spec.progressDeadlineSeconds', canary.spec.progressDeadlineSeconds, maxProgressDeadlineSeconds));
  return warnings;
}

function durationAbove(field: string, text: string | undefined, maxMs: number): Problem[] {
  const parsed = text === undefined ? undefined : parseGoDuration(text);
  if (parsed === undefined || parsed <= maxMs) return [];
  return [{ field, message: `"${text ?? ''}" is above the ${formatBound(maxMs)} maximum; ${formatBound(maxMs)} is used` }];
}

function countAbove(field: string, value: number | undefined, max: number): Problem[] {
  return value !== undefined && value > max ? [{ field, message: `${value} is above the maximum of ${max}; ${max} is used` }] : [];
}

/** parity: Flagger scheduler.go maxWeight, the ladder's last entry wins over maxWeight and is capped at 100. */
function weightWarnings(canary: Canary): Problem[] {
  const { stepWeights, maxWeight } = canary.spec.analysis;
  const last = stepWeights?.at(-1);
  const warnings: Problem[] = [];
  if (last !== undefined && last > totalWeight) {
    warnings.push({ field: 'spec.analysis.stepWeights', message: `weights above ${totalWeight} are capped at ${totalWeight}` });
  }
  if (last !== undefined && maxWeight !== undefined) {
    warnings.push({ field: 'spec.analysis.maxWeight', message: 'ignored when stepWeights is set (the last step is the maximum)' });
  }
  if (last === undefined && maxWeight !== undefined && maxWeight > totalWeight) {
    warnings.push({ field: 'spec.analysis.maxWeight', message: `capped at ${totalWeight}` });
  }
  return warnings;
}

/** parity: Flagger scheduler.go advanceCanary, the kubernetes provider ignores match and forces iterations. */
function kubernetesProviderWarnings(canary: Canary, provider: CanaryProvider): Problem[] {
  if (provider !== 'kubernetes') return [];
  const { match = [], iterations = 0 } = canary.spec.analysis;
  const warnings: Problem[] = [];
  if (match.length > 0) warnings.push({ field: 'spec.analysis.match', message: 'ignored by the kubernetes provider (Blue/Green only)' });
  if (iterations < 1) {
    warnings.push({ field: 'spec.analysis.iterations', message: 'the kubernetes provider runs Blue/Green only; 10 iterations are used' });
  }
  return warnings;
}

function ignoredFeatureWarnings(canary: Canary, provider: CanaryProvider): Problem[] {
  const { sessionAffinity, mirror } = canary.spec.analysis;
  const warnings: Problem[] = [];
  if (sessionAffinity !== undefined && !sessionAffinityProviders.has(provider)) {
    warnings.push({ field: 'spec.analysis.sessionAffinity', message: `ignored by the ${provider} provider` });
  }
  if (mirror === true) warnings.push(...mirrorWarnings(canary, provider));
  warnings.push(...gatewayApiCorsWarnings(canary, provider));
  return warnings;
}

/**
 * The Gateway API CORS filter lists origins, so `corsPolicy.allowOrigins` prefix and regex matches cannot be
 * expressed; exact ones are kept. parity: Flagger pkg/router/gateway_api.go logs every `allowOrigins` entry
 * as unsupported and drops it.
 */
function gatewayApiCorsWarnings(canary: Canary, provider: CanaryProvider): Problem[] {
  if (!provider.startsWith('gatewayapi')) return [];
  return (canary.spec.service?.corsPolicy?.allowOrigins ?? []).flatMap((origin, i) => (origin.exact !== undefined ? [] : [{
    field: `spec.service.corsPolicy.allowOrigins[${i}]`, message: `ignored by the ${provider} provider (the CORS filter takes exact origins only)`,
  }]));
}

/**
 * parity: Flagger scheduler.go runBlueGreen mirrors only where the router can (Istio, Gateway API) and runAB
 * never does; a mirrored progressive canary on another provider is an error instead (validate.ts).
 */
function mirrorWarnings(canary: Canary, provider: CanaryProvider): Problem[] {
  const field = 'spec.analysis.mirror';
  switch (deploymentStrategy(canary)) {
    case 'ab-testing': return [{ field, message: 'ignored by A/B testing' }];
    case 'blue-green': return blueGreenMirrorProviders.has(provider) ? [] : [{ field, message: `ignored by the ${provider} provider` }];
    case 'canary': return [];
  }
}
