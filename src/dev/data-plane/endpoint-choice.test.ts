import { describe, expect, it } from 'vitest';
import type { EndpointSlice } from '../../kube/resources.js';
import { endpointsBySelector, endpointsBySlices } from './endpoint-choice.js';
import type { AppProcess } from './pod-processes.js';

const proc = (pod: string, app: string, over: Partial<AppProcess> = {}): AppProcess => ({
  namespace: 'test', pod, workload: app, version: '6.0.0', labels: { app }, pid: 1, port: 1000, state: 'running', ready: true, ...over,
});
const slice = (endpoints: { pod: string; ready?: boolean; serving?: boolean; terminating?: boolean }[]): EndpointSlice => ({
  metadata: { name: 'podinfo-abcde', namespace: 'test', labels: { 'kubernetes.io/service-name': 'podinfo' } },
  addressType: 'IPv4',
  endpoints: endpoints.map(({ pod, ...conditions }) => ({ addresses: ['10.244.0.1'], conditions, targetRef: { kind: 'Pod', name: pod, namespace: 'test' } })),
});
const pods = (list: AppProcess[]): string[] => list.map((p) => p.pod);

describe('which processes answer for a Service', () => {
  const processes = [
    proc('primary-1', 'podinfo-primary'),
    proc('primary-2', 'podinfo-primary', { ready: false }),
    proc('primary-old', 'podinfo-primary', { state: 'draining', ready: false }),
    proc('primary-starting', 'podinfo-primary', { port: undefined }),
    proc('canary-1', 'podinfo', { namespace: 'other' }),
  ];

  it('by selector: Ready pods with a listening process, in the namespace only', () => {
    expect(pods(endpointsBySelector(processes, 'test', { app: 'podinfo-primary' }))).toEqual(['primary-1']);
    expect(endpointsBySelector(processes, 'test', { app: 'podinfo' })).toEqual([]);
    expect(endpointsBySelector(processes, 'test', {})).toEqual([]);
  });

  it('by selector: the draining processes of deleted pods when no pod is Ready', () => {
    expect(pods(endpointsBySelector(processes.slice(1), 'test', { app: 'podinfo-primary' }))).toEqual(['primary-old']);
  });

  it('by EndpointSlices: ready endpoints (unknown counts as ready), whatever the pod labels say', () => {
    const chosen = endpointsBySlices(processes, 'test', [slice([{ pod: 'primary-1', ready: true }, { pod: 'primary-2' }, { pod: 'primary-old', ready: false }])], { app: 'x' });
    expect(pods(chosen)).toEqual(['primary-1', 'primary-2']);
  });

  it('by EndpointSlices: serving terminating endpoints when none is ready, then draining processes the selector selects', () => {
    const terminating = slice([{ pod: 'primary-2', ready: false, serving: true, terminating: true }, { pod: 'primary-1', ready: false }]);
    expect(pods(endpointsBySlices(processes, 'test', [terminating], { app: 'podinfo-primary' }))).toEqual(['primary-2']);
    expect(pods(endpointsBySlices(processes, 'test', [slice([])], { app: 'podinfo-primary' }))).toEqual(['primary-old']);
  });

  it('by EndpointSlices: an endpoint whose process does not listen yet is left out', () => {
    expect(endpointsBySlices(processes, 'test', [slice([{ pod: 'primary-starting', ready: true }])], undefined)).toEqual([]);
  });
});
