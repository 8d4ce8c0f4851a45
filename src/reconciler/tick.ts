import type { CanaryStatus } from '../api/canary-status.js';
import { findCondition, setCondition, stalledCondition, type ConditionUpdate } from '../api/conditions.js';
import { parseCanary, validateCanary, type Problem } from '../api/validate.js';
import { isTerminal, nextStep, type StepKind, type TickFacts } from '../core/next-step.js';
import { mergePatchDiff } from '../kube/merge-patch-diff.js';
import { isConflict, isNotFound, type KubeObject } from '../ports/kube.js';
import { IMPLEMENTED_PROVIDERS } from '../routers/index.js';
import { RouterConfigError } from '../errors.js';
import { CanaryResource } from './cluster-caches.js';
import { gatherFacts } from './facts.js';
import { answerManualAction } from './manual-action.js';
import { analyse } from './steps/analysis.js';
import { failInitialization, failWaiting } from './steps/deadlines.js';
import { finalize } from './steps/finalize.js';
import { runPostRollout, scaleDownAfterRun } from './steps/after-run.js';
import { FINALIZER } from './facts.js';
import { notOwnerCondition, targetAlreadyManaged, targetOwner } from './target-ownership.js';
import { markInitialized, restartRun, scaleTargetToZero, scaleTargetUp, setFinalizer, startRun } from './steps/lifecycle.js';
import { reportPrimaryNotReady, reportSuspended, reportTargetProblem } from './steps/reports.js';
import { reconcileRouting } from './steps/routing.js';
import { verifyTraffic } from './steps/verification.js';
import { reconcileWorkloads } from './steps/workloads.js';
import { finalReadyCondition, TickContext, type TickDeps } from './tick-context.js';
import { targetKindOf } from './target-kinds.js';
import { setKstatusConditions, validSpecStalled } from './kstatus.js';
import { secondsSince } from './release-end.js';

/** What the controller learns from a tick. */
export interface TickResult {
  /** The canary no longer exists (in the cache). */
  gone: boolean;
  /** Objects the canary read: a change to any of them triggers the next tick at once. */
  dependencies: ReadonlySet<string>;
  /** The Canary's resourceVersion after this tick's status patch, when it wrote one. */
  written?: string;
  /** The saved status commands more work (status.afterRun): tick again at once. */
  followUp?: boolean;
  /**
   * The status patch met a newer Canary (409: changed, or deleted and re-created, since it was read): nothing
   * was saved, and the tick must be decided again from the object at this resourceVersion or later.
   */
  redecideAt?: string;
}

type StepRunner = (ctx: TickContext, facts: TickFacts) => Promise<void>;

const STEPS: Record<StepKind, StepRunner> = {
  'add-finalizer': (ctx) => setFinalizer(ctx, true),
  'remove-finalizer': (ctx) => setFinalizer(ctx, false),
  'reconcile-workloads': reconcileWorkloads,
  'reconcile-routing': reconcileRouting,
  'scale-target-to-zero': (ctx, facts) => (facts.scaleDownPending ? scaleDownAfterRun(ctx, facts.verifiesRoutes) : scaleTargetToZero(ctx)),
  'scale-target-up': scaleTargetUp,
  'post-rollout': runPostRollout,
  'verify-routes': async (ctx) => {
    await verifyTraffic(ctx);
  },
  // verifyTraffic has put the reason in the Ready condition.
  'wait-routes': () => Promise.resolve(),
  finalize,
  'ignore-deleted': () => Promise.resolve(),
  suspended: reportSuspended,
  stall: (ctx) => {
    ctx.report = { reason: 'InvalidSpec', message: 'the spec cannot be acted on: see the Stalled condition', severity: 'warn' };
    return Promise.resolve();
  },
  'target-problem': reportTargetProblem,
  'wait-primary': (ctx, facts) => reportPrimaryNotReady(ctx, facts.primary),
  'fail-initialization': (ctx, facts) => failInitialization(ctx, facts.primary),
  'fail-waiting': failWaiting,
  'mark-initialized': markInitialized,
  'start-run': startRun,
  'restart-run': restartRun,
  // The analysis moves at the canary's interval: a tick triggered by a change only reconciles.
  // A manual action accepted in this tick acts at once (see manual-action.ts).
  analyse: (ctx) => (ctx.scheduled || ctx.actNow ? analyse(ctx) : Promise.resolve()),
  idle: () => Promise.resolve(),
};

/**
 * One tick of one canary: load from the caches, then repeatedly decide (pure `nextStep`) and run the step's
 * effects until a terminal step, then persist the drafted status in one patch and, only after it succeeded,
 * emit the tick's notices.
 */
export async function runTick(deps: TickDeps, key: { namespace: string; name: string }, scheduled = true): Promise<TickResult> {
  const raw = deps.caches.canaries.get(key.namespace, key.name);
  if (raw === undefined) return { gone: true, dependencies: new Set() };
  const parsed = parseCanary(raw);
  if (!parsed.ok) return persistInvalid(deps, raw, parsed.problems);
  const ctx = new TickContext(deps, raw, parsed.value);
  ctx.scheduled = scheduled;
  const owner = targetOwner(raw, deps.caches.canaries.list());
  if (owner !== undefined) return standAside(ctx, owner.metadata.name);
  const problems = [
    ...validateCanary(parsed.value, {
      meshProvider: deps.config.meshProvider, implementedProviders: IMPLEMENTED_PROVIDERS, noCrossNamespaceRefs: deps.config.noCrossNamespaceRefs,
    }),
    ...targetKindProblems(parsed.value.spec.targetRef.kind),
  ];
  return tickResult(ctx, await driveAndPersist(ctx, problems));
}

function tickResult(ctx: TickContext, saved: Saved): TickResult {
  return { gone: saved === 'gone', dependencies: ctx.dependencies, ...(typeof saved === 'object' ? saved : {}) };
}

/**
 * A Canary whose target another Canary manages writes nothing to the shared objects: it shows a Stalled
 * condition naming the owner (one Warning event when that is new), lets go of its own finalizer when it is
 * deleted, and ticks again as soon as the owner is deleted (it depends on the owning Canary).
 */
async function standAside(ctx: TickContext, owner: string): Promise<TickResult> {
  ctx.dependOn('Canary', owner);
  if (ctx.raw.metadata.deletionTimestamp !== undefined && ctx.finalizers.includes(FINALIZER)) await setFinalizer(ctx, false);
  setStalled(ctx, notOwnerCondition(ctx.canary.spec.targetRef.name, owner));
  ctx.report = { reason: targetAlreadyManaged, message: 'another Canary manages the target: see the Stalled condition', severity: 'warn' };
  return tickResult(ctx, await persist(ctx));
}

// Deployments and DaemonSets are the workload kinds this version rolls out; the others are reported, never guessed at.
function targetKindProblems(kind: string): Problem[] {
  return targetKindOf(kind) !== undefined ? [] : [{ field: 'spec.targetRef.kind', message: `target kind ${kind} is not supported yet` }];
}

/**
 * A step that throws ends the tick with a ReconcileError in the Ready condition, or, when the router found
 * the spec unusable, with a Stalled condition naming the field. The status is persisted either way.
 */
async function driveAndPersist(ctx: TickContext, problems: Problem[]): Promise<Saved> {
  try {
    await drive(ctx, problems.length > 0);
  } catch (error) {
    if (error instanceof RouterConfigError) {
      problems.push({ field: error.field, message: error.detail });
      ctx.report = { reason: 'InvalidSpec', message: 'the spec cannot be acted on: see the Stalled condition', severity: 'warn' };
    } else {
      ctx.reportProblem({ reason: 'ReconcileError', message: error instanceof Error ? error.message : String(error), severity: 'warn' });
    }
  }
  reportStalled(ctx, problems);
  return persist(ctx);
}

// One Stalled condition per tick (its transition time moves only when it changes), and an event when it is new.
// A valid spec is Stalled still while the Canary rests in Failed (see kstatus.ts).
function reportStalled(ctx: TickContext, problems: readonly Problem[]): void {
  setStalled(ctx, problems.length > 0 ? stalledCondition(problems) : validSpecStalled(ctx));
}

// Sets the Stalled condition; a spec problem that is new or says something new gets one Warning event (a
// failed run has announced itself already).
function setStalled(ctx: TickContext, update: ConditionUpdate): void {
  const before = findCondition(ctx.canary.status?.conditions, 'Stalled');
  ctx.setCondition(update);
  const specProblem = update.reason === 'InvalidSpec' || update.reason === 'TargetAlreadyManaged';
  if (update.status === 'True' && specProblem && (before?.status !== 'True' || before.message !== update.message)) ctx.notice('warn', `invalid canary spec: ${update.message}`);
}

async function drive(ctx: TickContext, stalled: boolean): Promise<void> {
  const done = new Set<StepKind>();
  answerManualAction(ctx, stalled);
  for (let i = 0; i < 16; i++) {
    const { facts, loaded } = await gatherFacts(ctx, stalled);
    ctx.load(loaded);
    const step = nextStep(facts, done);
    if (ctx.phase === '' && !facts.deleting) ctx.setPhase('Initializing');
    await STEPS[step](ctx, facts);
    done.add(step);
    if (isTerminal(step)) return;
  }
  throw new Error('tick did not reach a terminal step');
}

/** What a tick's save came to: written (or nothing to write), to be decided again, or the Canary is gone. */
type Saved = Pick<TickResult, 'written' | 'followUp' | 'redecideAt'> | 'gone';

/**
 * One merge patch of the status subresource, built from the difference between the status read and the
 * draft, conditioned on the resourceVersion and UID read. On a conflict nothing is re-sent: the draft was
 * decided on a status that is no longer current (or on a Canary deleted and re-created since), so the tick
 * is decided again from fresh facts (see the controller). Notices and counters go out only once saved.
 */
async function persist(ctx: TickContext): Promise<Saved> {
  const before = ctx.canary.status ?? {};
  const patch = finalDraftPatch(ctx, before);
  const outcome: PatchOutcome = patch === undefined ? {} : await patchStatus(ctx, patch);
  // A Canary whose finalizer this tick removed is gone: its last notices still go out.
  if (outcome === 'gone') {
    if (ctx.raw.metadata.deletionTimestamp === undefined) return 'gone';
    announce(ctx, before);
    return {};
  }
  if ('redecideAt' in outcome) return outcome;
  announce(ctx, before);
  const { written } = outcome;
  return written === undefined ? {} : { written, ...(ctx.followUp ? { followUp: true } : {}) };
}

// The draft's last fields (Ready condition, observed generation, transition time), as a patch of `before`.
function finalDraftPatch(ctx: TickContext, before: CanaryStatus): unknown {
  ctx.setCondition(finalReadyCondition(ctx));
  setKstatusConditions(ctx);
  ctx.status.observedGeneration = ctx.raw.metadata.generation;
  const transition = ['phase', 'canaryWeight', 'failedChecks', 'iterations'].some((k) =>
    before[k as keyof typeof before] !== ctx.status[k as keyof typeof ctx.status]);
  if (transition) ctx.status.lastTransitionTime = ctx.timestamp;
  return mergePatchDiff(before, ctx.status);
}

// Everything that must follow a saved status, and only a saved one.
function announce(ctx: TickContext, before: CanaryStatus): void {
  for (const notice of ctx.notices) ctx.deps.bus.emit('notice', notice);
  for (const effect of ctx.afterPersist) effect();
  const phaseBefore = before.phase ?? '';
  if (phaseBefore !== ctx.status.phase) {
    ctx.deps.bus.emit('phaseChanged', { canary: ctx.identity, from: phaseBefore, to: ctx.phase, ...secondsSince(before.phaseStartTime, ctx.now) });
  }
  ctx.deps.recorder.setStatus(ctx.identity.target, ctx.identity.namespace, ctx.phase);
}

/** Saved at a resourceVersion (none when there was nothing to save), to be decided again, or the Canary is gone. */
type PatchOutcome = { written?: string } | { redecideAt: string } | 'gone';

/**
 * Sends the patch, conditioned on the resourceVersion of the Canary this tick decided on. resourceVersions are
 * never reused, so a Canary deleted and re-created since answers 409 too. The UID goes along as a second
 * precondition where the server checks it (the status subresource of a custom resource does not: its update
 * strategy copies the stored metadata over the patched object, see test/integration/status-conflict.test.ts).
 */
async function patchStatus(ctx: TickContext, patch: unknown): Promise<PatchOutcome> {
  const target = { namespace: ctx.identity.namespace, name: ctx.identity.name };
  const metadata = { resourceVersion: ctx.resourceVersion, ...(ctx.identity.uid === undefined ? {} : { uid: ctx.identity.uid }) };
  try {
    const updated = await ctx.deps.kube.patch(CanaryResource, target, { metadata, status: patch }, { subresource: 'status' });
    return { written: updated.metadata.resourceVersion ?? '' };
  } catch (error) {
    return afterFailedPatch(ctx, error);
  }
}

/**
 * A failed patch: on a conflict the tick is decided again from the object the server holds now. Any other
 * failure may still have been carried out (a timeout after the server wrote it): a fresh read tells, so the
 * notices of a saved outcome are not lost; if it was not, the error stands and the next tick decides again.
 */
async function afterFailedPatch(ctx: TickContext, error: unknown): Promise<PatchOutcome> {
  if (isNotFound(error)) return 'gone';
  const fresh = await ctx.deps.kube.get(CanaryResource, ctx.identity.namespace, ctx.identity.name).catch(() => Promise.reject(error as Error));
  if (fresh === undefined) return 'gone';
  const resourceVersion = fresh.metadata.resourceVersion ?? '';
  if (isConflict(error)) return { redecideAt: resourceVersion };
  const carriedOut = fresh.metadata.uid === ctx.identity.uid && mergePatchDiff(fresh.status ?? {}, ctx.status) === undefined;
  if (carriedOut) return { written: resourceVersion };
  throw error;
}

// A Canary the schema rejects (e.g. stored under another CRD): only the Stalled condition is written.
async function persistInvalid(deps: TickDeps, raw: KubeObject & { status?: unknown }, problems: Problem[]): Promise<TickResult> {
  const status = (raw.status ?? {}) as { conditions?: Parameters<typeof setCondition>[0] };
  const conditions = setCondition(status.conditions, stalledCondition(problems), new Date(deps.clock.now()));
  if (conditions !== status.conditions) {
    await deps.kube.patch(CanaryResource, { namespace: raw.metadata.namespace, name: raw.metadata.name }, { status: { conditions } }, { subresource: 'status' })
      .catch((error: unknown) => deps.logger.warn('could not write the Stalled condition', { error: String(error) }));
    deps.logger.warn('invalid canary', { canary: `${raw.metadata.name}.${raw.metadata.namespace ?? ''}`, problems });
  }
  return { gone: false, dependencies: new Set() };
}
