import type { Readiness } from '../../core/readiness.js';
import type { TickContext } from '../tick-context.js';

/** A suspended canary does nothing until resumed; said once, not every tick. */
export function reportSuspended(ctx: TickContext): Promise<void> {
  ctx.reportProblem({ reason: 'Suspended', message: 'skipping canary run as object is suspended', severity: 'info' });
  return Promise.resolve();
}

/** The target Deployment is missing, has no selector label, or references configs that do not exist. */
export function reportTargetProblem(ctx: TickContext): Promise<void> {
  const name = ctx.canary.spec.targetRef.name;
  if (ctx.target === undefined) {
    ctx.reportProblem({ reason: 'TargetNotFound', message: `${ctx.canary.spec.targetRef.kind} ${name}.${ctx.identity.namespace} not found`, severity: 'warn' });
  } else if (ctx.selector === undefined) {
    const labels = ctx.deps.config.selectorLabels.join(', ');
    ctx.reportProblem({ reason: 'TargetInvalid', message: `${name} selector labels ${labels} not found in spec.selector.matchLabels`, severity: 'warn' });
  } else {
    ctx.reportProblem({ reason: 'ConfigNotFound', message: `${name} references missing ${ctx.revision?.missing.join(', ') ?? 'configs'}`, severity: 'warn' });
  }
  return Promise.resolve();
}

/** Initialization waits for the primary; a primary stuck past its progress deadline is a warning. */
export function reportPrimaryNotReady(ctx: TickContext, readiness: Readiness | 'missing'): Promise<void> {
  const name = `${ctx.canary.spec.targetRef.name}-primary.${ctx.identity.namespace}`;
  // A canary whose initialization failed keeps saying why in its Ready condition while it waits on.
  if (ctx.phase === 'Failed') return Promise.resolve();
  if (ctx.phase === '') ctx.setPhase('Initializing');
  if (readiness === 'missing') {
    ctx.reportProblem({ reason: 'PrimaryNotReady', message: `waiting for ${name} to be created`, severity: 'info' });
  } else if (!readiness.ready) {
    ctx.reportProblem({ reason: 'PrimaryNotReady', message: `${name} not ready: ${readiness.reason}`, severity: readiness.retriable ? 'info' : 'warn' });
  }
  return Promise.resolve();
}
