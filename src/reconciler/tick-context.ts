import type { Canary, CanaryProvider } from '../api/canary.js';
import type { CanaryPhase, CanaryStatus } from '../api/canary-status.js';
import { findCondition, formatTime, promotedCondition, readyCondition, setCondition, type ConditionReason, type ConditionUpdate } from '../api/conditions.js';
import { isFailureReason } from '../api/kstatus-conditions.js';
import type { OperatorConfig } from '../config.js';
import { approvalDeadlineSeconds, progressDeadlineSeconds, resolveProvider } from '../api/defaults.js';
import type { RoutesState } from '../core/analysis.js';
import { waitStart, type DeadlineLimits } from '../core/deadlines.js';
import { targetKindOf, type TargetKind, type Workload } from './target-kinds.js';
import type { Clock } from '../ports/clock.js';
import type { Kube, KubeObject } from '../ports/kube.js';
import type { CloudWatchPort } from '../ports/cloudwatch.js';
import type { ElbV2Port } from '../ports/elbv2.js';
import type { Logger } from '../ports/logger.js';
import { providerOf, type ProviderDescriptor } from '../routers/index.js';
import type { ObjectReader, Router, RouterDeps } from '../routers/router.js';
import type { CanaryIdentity, CanaryNotice, DomainBus, Severity } from '../telemetry/domain-events.js';
import type { Recorder } from '../telemetry/recorder.js';
import type { FoundConfig } from '../workloads/config-refs.js';
import type { SelectorLabel } from '../workloads/labels.js';
import type { ClusterCaches } from './cluster-caches.js';
import type { WebhookDeps } from '../webhooks/client.js';
import type { HttpClient } from '../metrics/http-client.js';
import type { ProviderCache } from '../metrics/provider-cache.js';
import type { MetricsProvider } from '../metrics/prometheus.js';

/** Settings a tick uses from the operator configuration. */
export type TickConfig = Pick<OperatorConfig, 'meshProvider' | 'selectorLabels' | 'includeLabelPrefix' | 'enableConfigTracking' | 'noCrossNamespaceRefs'
  | 'ingressAnnotationsPrefix' | 'verifyTrafficWeights'>;

/** What the analysis of a run needs: webhook calls and metric queries, each through its port. */
export interface AnalysisDeps {
  webhooks: WebhookDeps;
  metrics: {
    http: HttpClient; providers: ProviderCache<MetricsProvider>; metricsServer: string;
    /** CloudWatch for `cloudwatch` MetricTemplates and the ALB builtins, by region. */
    cloudWatch?: (region: string) => CloudWatchPort;
    /** Region of the ALB builtins' CloudWatch metrics (the operator's `--aws-region`). */
    awsRegion?: string;
  };
}

/** Everything a tick needs, injected. */
export interface TickDeps {
  kube: Kube;
  caches: ClusterCaches;
  clock: Clock;
  logger: Logger;
  bus: DomainBus;
  recorder: Recorder;
  config: TickConfig;
  /** A new random id for the primary's `flagger-id` annotation (injected so scenario tests are repeatable). */
  newId: () => string;
  analysis: AnalysisDeps;
  /** AWS ELBv2 reads for ALB weight verification (absent: ALB Canaries that verify report it). */
  elbv2?: ElbV2Port;
  /** Reads provider objects (VirtualServices, Ingresses, …) from on-demand watch caches. */
  providerObjects: ObjectReader;
  /** Told of each dependency as soon as a tick reads it, so that a change during the tick is not missed. */
  onDependency?: (canaryKey: string, dependency: string) => void;
}

/** The target's current revision: pod template hash and tracked-config checksums. */
export interface Revision {
  hash: string;
  configs: FoundConfig[];
  checksums: Record<string, string>;
  /** Non-optional references that do not exist. */
  missing: string[];
}

/** What gathering the facts loaded about the target (see facts.ts); the steps act on it. */
export interface Loaded {
  target: Workload | undefined;
  selector: SelectorLabel | undefined;
  revision: Revision | undefined;
}

/** A problem to show in the Ready condition, e.g. `{ reason: 'TargetNotFound', message: 'deployment podinfo not found' }`. */
export interface Report {
  reason: ConditionReason;
  message: string;
  severity: Severity;
}

/**
 * The state of one tick: the canary as read, the status being drafted (persisted once, at the end), the
 * notices to emit after the status patch succeeds, and what the canary depends on (for prompt re-ticks).
 */
export class TickContext {
  readonly status: CanaryStatus;
  readonly notices: CanaryNotice[] = [];
  readonly dependencies = new Set<string>();
  readonly identity: CanaryIdentity;
  readonly now: number;
  /** The Canary's traffic provider: `spec.provider`, else the operator's `--mesh-provider`. */
  readonly provider: CanaryProvider;
  finalizers: string[];
  /** The kind of workload `targetRef` names; `undefined` for a kind Songbird does not roll out (the tick stalls). */
  readonly kind: TargetKind | undefined;
  target: Workload | undefined;
  selector: SelectorLabel | undefined;
  report: Report | undefined;
  revision: Revision | undefined;
  /** The provider's answer about the weights, asked at most once per tick (see steps/verification.ts). */
  routes: RoutesState | undefined;
  /** True for interval ticks; false for ticks triggered by a change (those never advance the analysis). */
  scheduled = true;
  /** A manual action accepted this tick acts at once, even on a triggered tick (see reconciler/manual-action.ts). */
  actNow = false;
  /** The status this tick saves commands more work (status.afterRun): tick again as soon as it is saved. */
  followUp = false;
  /** Run once the status patch succeeded, like the notices (e.g. outcome counters, so a retried outcome counts once). */
  readonly afterPersist: (() => void)[] = [];
  /** The Canary's resourceVersion the status patch is conditioned on: as read, or after this tick's own metadata patch. */
  resourceVersion: string | undefined;
  #router: Router | undefined;

  constructor(readonly deps: TickDeps, readonly raw: KubeObject & { status?: unknown }, readonly canary: Canary) {
    this.now = deps.clock.now();
    this.status = structuredClone(canary.status ?? {});
    this.finalizers = [...(raw.metadata.finalizers ?? [])];
    this.resourceVersion = raw.metadata.resourceVersion;
    this.kind = targetKindOf(canary.spec.targetRef.kind);
    this.identity = { name: raw.metadata.name, namespace: raw.metadata.namespace ?? '', uid: raw.metadata.uid, target: canary.spec.targetRef.name };
    this.provider = resolveProvider(canary, deps.config.meshProvider);
  }

  /** Takes what gathering the facts loaded (see facts.ts). */
  load(loaded: Loaded): void {
    this.target = loaded.target;
    this.selector = loaded.selector;
    this.revision = loaded.revision;
  }

  /** What the reconciler knows about the provider (validation has already rejected unimplemented ones). */
  get providerInfo(): ProviderDescriptor {
    return providerOf(this.provider);
  }

  /** The router of the canary's provider, built on first use: the one place a tick's router is made. */
  get router(): Router {
    this.#router ??= this.providerInfo.create(this.routerDeps());
    return this.#router;
  }

  private routerDeps(): RouterDeps {
    const { kube, clock, logger, config, elbv2, providerObjects } = this.deps;
    return {
      kube, clock, logger, reader: providerObjects,
      ...(elbv2 === undefined ? {} : { elbv2 }),
      settings: { ingressAnnotationsPrefix: config.ingressAnnotationsPrefix },
    };
  }

  /**
   * True when this Canary waits for its provider to apply weights: the router can tell (ALB), and neither the
   * operator (`--verify-traffic-weights=false`) nor the Canary (`spec.verifyTrafficWeights: false`) opted out.
   */
  get verifiesRoutes(): boolean {
    if (!this.deps.config.verifyTrafficWeights || this.canary.spec.verifyTrafficWeights === false) return false;
    return this.router.verifyRoutes !== undefined;
  }

  get phase(): CanaryPhase {
    return this.status.phase ?? '';
  }

  /** Queues a notice (Event, log, webhook, optional alert) for after the status patch. */
  notice(severity: Severity, message: string, alert = false): void {
    this.notices.push({ canary: this.identity, severity, message, alert, phase: this.phase });
  }

  /**
   * Shows a problem in the Ready condition. The notice is emitted only when the message differs from the one
   * already shown, so a problem that lasts does not produce an event every tick.
   */
  reportProblem(report: Report): void {
    this.report = report;
    const current = findCondition(this.canary.status?.conditions, 'Ready');
    if (current?.message !== report.message) this.notice(report.severity, report.message);
  }

  /**
   * Moves to `phase` (or restarts it: a run restarted by a newer revision), updating the Promoted condition
   * and the time the phase began (the start of its deadline, see core/deadlines.ts); this also ends any hold
   * of the confirm-traffic-increase gate.
   */
  setPhase(phase: CanaryPhase): void {
    this.status.phaseStartTime = this.timestamp;
    delete this.status.trafficHeldSince;
    this.status.phase = phase;
    this.setCondition(promotedCondition(phase, this.canary.spec.targetRef.kind));
  }

  setCondition(update: ConditionUpdate): void {
    this.status.conditions = setCondition(this.status.conditions, update, new Date(this.now));
  }

  /** `<name>.<namespace>`, the way Flagger names canaries in messages. */
  get displayName(): string {
    return `${this.identity.name}.${this.identity.namespace}`;
  }

  /** Records that this canary reads `kind/namespace/name`, so a change to it triggers a tick. */
  dependOn(kind: string, name: string): void {
    const key = dependencyKey(kind, this.identity.namespace, name);
    if (this.dependencies.has(key)) return;
    this.dependencies.add(key);
    this.deps.onDependency?.(`${this.identity.namespace}/${this.identity.name}`, key);
  }

  /**
   * When the current phase's wait began, in ms (see `waitStart`). A status written before `phaseStartTime`
   * existed has none: the clock starts at this tick (and is saved with its status patch).
   */
  phaseSince(): number {
    this.status.phaseStartTime ??= this.timestamp;
    const phaseStart = Date.parse(this.status.phaseStartTime);
    const progress = this.status.lastTransitionTime;
    return waitStart(this.phase, progress === undefined ? { phaseStart } : { phaseStart, lastProgress: Date.parse(progress) });
  }

  /** The deadlines of this Canary's waits. */
  get deadlines(): DeadlineLimits {
    return { progressDeadlineSeconds: progressDeadlineSeconds(this.canary), approvalDeadlineSeconds: approvalDeadlineSeconds(this.canary) };
  }

  /** Time as written in status. */
  get timestamp(): string {
    return formatTime(new Date(this.now));
  }
}

/** Key of an object a canary depends on. */
export function dependencyKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

// A triggered tick does not run the analysis, so it keeps what the last interval reported; a failed Canary
// keeps saying why it failed.
function keepsReady(ctx: TickContext, reason: string): boolean {
  if (ctx.phase !== (ctx.canary.status?.phase ?? '')) return false;
  return !ctx.scheduled || (ctx.phase === 'Failed' && isFailureReason(reason));
}

/**
 * The revision the current phase is about: the one a closed confirm-rollout gate holds (not recorded until
 * its run starts), the one under analysis during a run, the promoted one at rest.
 */
export function phaseRevision(ctx: TickContext): string | undefined {
  if (ctx.phase === 'Waiting') return ctx.revision?.hash ?? ctx.status.lastAppliedSpec;
  if (ctx.phase === 'Succeeded' || ctx.phase === 'Initialized') return ctx.status.lastPromotedSpec;
  return ctx.status.lastAppliedSpec;
}

/** The Ready condition at the end of a tick: the reported problem, or the phase's own state. */
export function finalReadyCondition(ctx: TickContext): ConditionUpdate {
  const current = findCondition(ctx.canary.status?.conditions, 'Ready');
  if (ctx.report === undefined && current !== undefined && keepsReady(ctx, current.reason)) {
    return { type: 'Ready', status: current.status, reason: current.reason as ConditionReason, message: current.message };
  }
  if (ctx.report === undefined) return readyCondition(ctx.phase, phaseRevision(ctx));
  return { type: 'Ready', status: 'False', reason: ctx.report.reason, message: ctx.report.message };
}
