import type { MetricTemplate } from '../../api/metric-template.js';
import { parseMetricTemplate } from '../../api/validate.js';
import { formatCheckEvent, gaugeValue, latestMetricValues, runMetricChecks, type CloudWatchTarget, type MetricChecksInput } from '../../metrics/index.js';
import { builtinsOf } from '../../routers/index.js';
import type { TickContext } from '../tick-context.js';

/**
 * Runs this interval's metric checks and records each one's value in status, the gauge and (unless it
 * passed) an event; `failed` when any check failed.
 */
export async function metricChecks(ctx: TickContext): Promise<'ok' | 'failed'> {
  const checks = await runMetricChecks(checksInput(ctx));
  for (const check of checks) {
    const gauge = gaugeValue(check);
    if (gauge !== null) ctx.deps.recorder.setMetricValue(ctx.identity.target, ctx.identity.namespace, check.name, gauge);
    if (check.verdict !== 'Pass') ctx.notice(check.verdict === 'Fail' ? 'warn' : 'info', formatCheckEvent(check, ctx.displayName));
  }
  ctx.status.lastMetricValues = latestMetricValues(ctx.status.lastMetricValues, checks, ctx.canary.spec.analysis.metrics ?? []);
  return checks.some((c) => c.verdict === 'Fail') ? 'failed' : 'ok';
}

function checksInput(ctx: TickContext): MetricChecksInput {
  const { metrics } = ctx.deps.analysis;
  // A provider built now is cached across ticks: what it keeps (the Kube port, the clock) must not be this tick's context.
  const { kube, clock } = ctx.deps;
  return {
    canary: ctx.canary, provider: ctx.provider, builtins: builtinsOf(ctx.provider), metricsServer: metrics.metricsServer,
    templates: (ns, n) => parsedTemplate(ctx, ns, n), secrets: (ns, n) => ctx.deps.caches.secrets.read(ns, n),
    providers: metrics.providers, http: metrics.http, now: () => ctx.deps.clock.now(),
    kube, sleep: (ms) => clock.sleep(ms),
    ...(metrics.cloudWatch === undefined ? {} : { cloudWatch: metrics.cloudWatch }),
    cloudWatchTargets: () => cloudWatchTargets(ctx),
  };
}

// The load balancer and the canary's target group, as the router finds them (its `cloudWatchTargets`).
// Example (alb): `the ALB builtins need the AWS region: set --aws-region or AWS_REGION`.
async function cloudWatchTargets(ctx: TickContext): Promise<CloudWatchTarget> {
  const router = ctx.router;
  const { label } = ctx.providerInfo;
  if (router.cloudWatchTargets === undefined) throw new Error(`${label} has no CloudWatch targets for its builtins`);
  const region = ctx.deps.analysis.metrics.awsRegion;
  if (region === undefined) throw new Error(`${label} builtins need the AWS region: set --aws-region or AWS_REGION`);
  return { region, ...await router.cloudWatchTargets(ctx.canary) };
}

function parsedTemplate(ctx: TickContext, namespace: string, name: string): ReturnType<typeof parseTemplate> {
  return parseTemplate(ctx.deps.caches.metricTemplates.get(namespace, name));
}

function parseTemplate(raw: unknown): MetricTemplate | undefined {
  if (raw === undefined) return undefined;
  const parsed = parseMetricTemplate(raw);
  return parsed.ok ? parsed.value : undefined;
}
