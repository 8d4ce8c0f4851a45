/**
 * Which app processes answer for a Service (pure), as kube-proxy picks endpoints: ready ones; when there are
 * none, serving terminating ones. kwok deletes pods at once, where a kubelet would keep them terminating
 * (listed as serving terminating endpoints) for their grace period, so the processes of deleted pods that
 * are still draining stand in for those last.
 */
import type { V1EndpointConditions } from '@kubernetes/client-node';
import type { EndpointSlice } from '../../kube/resources.js';
import type { AppProcess } from './pod-processes.js';

type Selector = Record<string, string> | undefined;

function selected(processes: readonly AppProcess[], namespace: string, selector: Selector): AppProcess[] {
  if (selector === undefined || Object.keys(selector).length === 0) return [];
  return processes.filter((p) => p.namespace === namespace && p.port !== undefined &&
    Object.entries(selector).every(([k, v]) => p.labels[k] === v));
}

function draining(processes: readonly AppProcess[], namespace: string, selector: Selector): AppProcess[] {
  return selected(processes, namespace, selector).filter((p) => p.state === 'draining');
}

/** Without EndpointSlices (an API server alone): the processes of the selector's Ready pods, else of its draining ones. */
export function endpointsBySelector(processes: readonly AppProcess[], namespace: string, selector: Selector): AppProcess[] {
  const ready = selected(processes, namespace, selector).filter((p) => p.ready && p.state !== 'draining');
  return ready.length > 0 ? ready : draining(processes, namespace, selector);
}

/**
 * From the Service's EndpointSlices: processes of ready endpoints (a crashed one included: requests to it
 * fail, as to a crashed pod), else of serving terminating ones, else of draining pods the selector selects.
 */
export function endpointsBySlices(processes: readonly AppProcess[], namespace: string, slices: readonly EndpointSlice[], selector: Selector): AppProcess[] {
  const byPod = new Map(processes.filter((p) => p.namespace === namespace && p.port !== undefined).map((p) => [p.pod, p]));
  const listed = slices.flatMap((s) => s.endpoints ?? []).filter((e) => e.targetRef?.kind === 'Pod');
  const pick = (want: (c: V1EndpointConditions) => boolean): AppProcess[] => listed
    .filter((e) => want(e.conditions ?? {}))
    .map((e) => byPod.get(e.targetRef?.name ?? ''))
    .filter((p): p is AppProcess => p !== undefined);
  // A nil `ready` means unknown, which consumers treat as ready (EndpointConditions API doc).
  const ready = pick((c) => c.ready !== false);
  if (ready.length > 0) return ready;
  const terminating = pick((c) => c.serving === true && c.terminating === true);
  return terminating.length > 0 ? terminating : draining(processes, namespace, selector);
}
