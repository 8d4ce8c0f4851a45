import { Resources } from '../../kube/resources.js';
import type { Kube } from '../../ports/kube.js';
import { CanaryResource } from '../../reconciler/cluster-caches.js';
import type { DataPlane, VersionCounts } from '../data-plane/index.js';
import { liveLine, type ReleaseResult, type Snapshot } from './format.js';
import { failuresSince, releasePatch, trafficSince, type Release } from './releases.js';
import type { Screen } from './screen.js';

/** What a release run needs: the cluster, the data plane's counts, where to show progress, and when to give up. */
export interface ReleaseDeps {
  kube: Kube;
  dataPlane: Pick<DataPlane, 'counts'>;
  screen: Screen;
  namespace: string;
  timeoutMs: number;
  signal: AbortSignal;
}

interface CanaryStatusView {
  phase?: string;
  canaryWeight?: number;
  lastMetricValues?: Record<string, { value?: number | null; time?: string }>;
}

const terminal = new Set(['Succeeded', 'Failed']);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function canaryStatus(deps: ReleaseDeps): Promise<CanaryStatusView> {
  const canary = await deps.kube.get(CanaryResource, deps.namespace, 'podinfo');
  return (canary?.status ?? {});
}

/** A metric's last value in status, if it was measured after `since` (older values belong to an earlier release). */
function metricSince(status: CanaryStatusView, name: string, since: number): number | undefined {
  const m = status.lastMetricValues?.[name];
  if (m?.value === undefined || m.value === null || m.time === undefined || Date.parse(m.time) < since) return undefined;
  return m.value;
}

/** Waits, showing the phase, until the Canary is Initialized (its primary ready and routing in place). */
export async function waitInitialized(deps: ReleaseDeps): Promise<void> {
  const start = Date.now();
  for (;;) {
    const status = await canaryStatus(deps);
    const phase = status.phase ?? 'pending';
    deps.screen.status(`initializing      ${phase.padEnd(16)}  ${Math.round((Date.now() - start) / 1000)}s`);
    if (phase === 'Initialized' || phase === 'Succeeded') break;
    if (phase === 'Failed') throw new Error('the Canary failed to initialize');
    if (Date.now() - start > deps.timeoutMs) throw new Error(`the Canary was not Initialized within ${deps.timeoutMs / 1000} s (phase ${phase})`);
    if (deps.signal.aborted) throw new Error('interrupted');
    await sleep(500);
  }
  deps.screen.settle();
}

/** One look at the release: the Canary's status and the requests per version since `start`. */
async function observe(deps: ReleaseDeps, release: Release, before: readonly VersionCounts[], start: number): Promise<Snapshot> {
  const status = await canaryStatus(deps);
  return {
    release: release.name, phase: status.phase ?? 'pending', weight: status.canaryWeight ?? 0,
    successRate: metricSince(status, 'request-success-rate', start), latencyMs: metricSince(status, 'request-duration', start),
    traffic: trafficSince(before, deps.dataPlane.counts().versions, deps.namespace), elapsedMs: Date.now() - start,
  };
}

/** Gives the target the release's image tag and fault env: a new revision for the operator to analyse. */
async function rollOut(deps: ReleaseDeps, release: Release): Promise<void> {
  const target = await deps.kube.get(Resources.deployments, deps.namespace, 'podinfo');
  const image = target?.spec?.template.spec?.containers[0]?.image ?? 'ghcr.io/stefanprodan/podinfo:6.0.0';
  await deps.kube.patch(Resources.deployments, { namespace: deps.namespace, name: 'podinfo' }, releasePatch(image, release), { kind: 'json' });
}

/**
 * Rolls out `release` on the target and follows the Canary until the run ends (a terminal phase reached after
 * a non-terminal one, so the previous run's outcome is never taken for this one), or the time is up.
 */
export async function runRelease(deps: ReleaseDeps, release: Release): Promise<ReleaseResult> {
  const counted = deps.dataPlane.counts();
  const before = counted.versions;
  const start = Date.now();
  await rollOut(deps, release);
  const seen: Seen = { maxWeight: 0, worstSuccessRate: undefined, worstLatencyMs: undefined, traffic: [], started: false, observed: 'timeout' };
  while (seen.observed === 'timeout' && Date.now() - start < deps.timeoutMs && !deps.signal.aborted) {
    const snapshot = await observe(deps, release, before, start);
    record(seen, snapshot);
    deps.screen.status(liveLine(snapshot));
    if (seen.observed === 'timeout') await sleep(500);
  }
  deps.screen.settle();
  const { started: _started, ...result } = seen;
  const userFailures = failuresSince(counted.services, deps.dataPlane.counts().services, deps.namespace, 'podinfo');
  return { release: release.name, expected: release.expected, durationMs: Date.now() - start, ...result, userFailures, observed: deps.signal.aborted ? 'interrupted' : seen.observed };
}

/** What a release showed so far; `observed` stays `timeout` until the run ends. */
interface Seen {
  maxWeight: number;
  worstSuccessRate: number | undefined;
  worstLatencyMs: number | undefined;
  traffic: Snapshot['traffic'];
  started: boolean;
  observed: string;
}

function record(seen: Seen, s: Snapshot): void {
  seen.maxWeight = Math.max(seen.maxWeight, s.weight);
  if (s.successRate !== undefined) seen.worstSuccessRate = Math.min(seen.worstSuccessRate ?? Infinity, s.successRate);
  if (s.latencyMs !== undefined) seen.worstLatencyMs = Math.max(seen.worstLatencyMs ?? 0, s.latencyMs);
  seen.traffic = s.traffic;
  seen.started ||= !terminal.has(s.phase) && s.phase !== 'Initialized';
  if (seen.started && terminal.has(s.phase)) seen.observed = s.phase;
}
