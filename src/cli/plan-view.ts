/** The human-readable release preview (`kubectl songbird plan`), from a plan alone. Pure. */
import type { PlanStatus } from '../api/canary-status.js';
import type { ReleasePlan } from '../core/plan.js';
import { formatExactDuration as formatDuration, formatTable } from './output.js';

const strategyNames: Record<ReleasePlan['strategy'], string> = {
  canary: 'progressive canary', 'blue-green': 'Blue/Green', 'ab-testing': 'A/B testing', skip: 'promotion without analysis (skipAnalysis)',
};

function indent(text: string): string {
  return text.split('\n').map((line) => (line === '' ? line : `  ${line}`)).join('\n');
}

function ladderText(plan: ReleasePlan): string {
  const weights = plan.weights.length === 0 ? 'no traffic moves (the canary is tested through its own Service)' : plan.weights.map((w) => `${w}%`).join(' → ');
  const mirror = plan.mirror && plan.strategy !== 'skip' ? 'mirror, then ' : '';
  const promotion = plan.promotionWeights.length > 1 ? `; promotion moves the primary to ${plan.promotionWeights.map((w) => `${w}%`).join(' → ')}` : '';
  return `${mirror}${weights}${promotion}`;
}

function stepsTable(plan: ReleasePlan): string {
  const rows = plan.steps.map((s) => [
    String(s.tick), `+${formatDuration(s.tick * plan.intervalSeconds)}`, s.phase, `${s.canaryWeight}%`, s.checks ? 'yes' : '-',
    s.gates.length === 0 ? '-' : s.gates.map((g) => `${g.type}: ${g.hooks.join(', ')}`).join('; '), s.action,
  ]);
  return formatTable([['TICK', 'AT', 'PHASE', 'CANARY', 'CHECKS', 'GATES', 'ACTION'], ...rows]);
}

function checksTable(plan: ReleasePlan): string {
  if (plan.checks.length === 0) return '  none\n';
  const rows = plan.checks.map((c) => [c.name, c.template === undefined ? c.source : `template ${c.template}`, c.threshold, c.interval, c.onNoData]);
  return indent(formatTable([['NAME', 'SOURCE', 'THRESHOLD', 'INTERVAL', 'NO DATA'], ...rows]));
}

function durationText(plan: ReleasePlan): string[] {
  const lines = [
    `Duration:  at least ${formatDuration(plan.minSeconds)} (${plan.steps.length} ticks of ${formatDuration(plan.intervalSeconds)}, every check passing at the first try)`,
    `           at most ${formatDuration(plan.maxSeconds)} for a run that still succeeds:`,
    ...plan.worstCase.map((d) => `             + ${formatDuration(d.seconds).padEnd(7)} ${d.what}`),
  ];
  if (plan.startDelaySeconds > 0) lines.push(`           before the start, a closed confirm-rollout gate can hold the run up to ${formatDuration(plan.startDelaySeconds)}`);
  return lines;
}

function failureText(plan: ReleasePlan): string[] {
  const f = plan.onFailure;
  return [
    'On failure:',
    ...f.triggers.map((t) => `  - ${t.when} → Failed (${t.reason})`),
    ...(f.earliestRollbackSeconds > 0 ? [`  Failing checks from the first tick roll back after ${formatDuration(f.earliestRollbackSeconds)}.`] : []),
    '  A rollback:',
    ...f.rollback.map((r, i) => `    ${i + 1}. ${r}`),
    `  A failed promotion: ${f.failedPromotion}`,
    `  Deleting the Canary${f.revertOnDeletion ? ' (revertOnDeletion)' : ''}: ${f.onDeletion}`,
  ];
}

/** The preview of `name`; `run` is the status.plan of a run under way, shown with its times. */
export function renderPlan(name: string, plan: ReleasePlan, run?: PlanStatus): string {
  const lines = [
    `Canary ${name}: ${strategyNames[plan.strategy]} on ${plan.provider}, a tick every ${formatDuration(plan.intervalSeconds)}, rollback at ${plan.threshold} failed checks`,
    `Weights:   ${ladderText(plan)}`,
    ...(plan.iterations === undefined ? [] : [`Iterations: ${plan.iterations}`]),
    ...durationText(plan),
    ...(run === undefined ? [] : [`This run:  started ${run.startedAt}, expected end ${run.expectedEnd}, at the latest ${run.latestEnd}`]),
    '',
    'Checks:',
    checksTable(plan),
    'Steps (when every check passes at the first try):',
    indent(stepsTable(plan)),
    ...failureText(plan),
  ];
  return `${lines.join('\n')}\n`;
}
