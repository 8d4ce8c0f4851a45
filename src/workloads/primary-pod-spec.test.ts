import type { V1LabelSelector, V1PodSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { primaryPodSpec } from './primary-pod-spec.js';
import { podinfoPodSpec } from '../../test/fixtures/workloads.js';

const noTracking = { configMaps: new Set<string>(), secrets: new Set<string>() };
const selector = { key: 'app', value: 'podinfo' };

function specWithSelector(labelSelector: V1LabelSelector): V1PodSpec {
  return { containers: [], topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector }] };
}

describe('primaryPodSpec', () => {
  // Flagger pkg/canary/deployment_controller_test.go TestDeploymentController_AntiAffinityAndTopologySpreadConstraints
  it('points anti-affinity and topology spread selectors for the target at the primary', () => {
    const spec = primaryPodSpec({ podSpec: podinfoPodSpec(), trackedConfigs: noTracking, selector, selectorLabels: ['app', 'name'] });
    const values = (s: V1LabelSelector | undefined): string[] | undefined => s?.matchExpressions?.[0]?.values;
    const anti = spec.affinity!.podAntiAffinity!;
    expect(anti.preferredDuringSchedulingIgnoredDuringExecution!.map((t) => values(t.podAffinityTerm.labelSelector)))
      .toEqual([['podinfo-primary'], ['arbitrary-app']]);
    expect(anti.requiredDuringSchedulingIgnoredDuringExecution!.map((t) => values(t.labelSelector)))
      .toEqual([['podinfo-primary'], ['arbitrary-app']]);
    expect(spec.topologySpreadConstraints!.map((c) => values(c.labelSelector))).toEqual([['podinfo-primary'], ['arbitrary-app']]);
  });

  it.each<[string, V1LabelSelector, readonly string[], V1LabelSelector]>([
    ['rewrites matchLabels under the selector label', { matchLabels: { app: 'podinfo', tier: 'web' } }, ['app'],
      { matchLabels: { app: 'podinfo-primary', tier: 'web' } }],
    ['rewrites under any configured selector label', { matchLabels: { name: 'podinfo' } }, ['app', 'name'],
      { matchLabels: { name: 'podinfo-primary' } }],
    ['leaves keys that are not selector labels alone', { matchLabels: { tier: 'podinfo' } }, ['app'], { matchLabels: { tier: 'podinfo' } }],
    ['leaves other values alone', { matchLabels: { app: 'podinfo-web' } }, ['app'], { matchLabels: { app: 'podinfo-web' } }],
    ['rewrites only the matching values of an expression',
      { matchExpressions: [{ key: 'app', operator: 'In', values: ['other', 'podinfo'] }] }, ['app'],
      { matchExpressions: [{ key: 'app', operator: 'In', values: ['other', 'podinfo-primary'] }] }],
    ['leaves expressions without values alone', { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, ['app'],
      { matchExpressions: [{ key: 'app', operator: 'Exists' }] }],
    ['leaves expressions on other keys alone', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['podinfo'] }] }, ['app'],
      { matchExpressions: [{ key: 'tier', operator: 'In', values: ['podinfo'] }] }],
  ])('%s', (_name, labelSelector, selectorLabels, expected) => {
    const spec = primaryPodSpec({ podSpec: specWithSelector(labelSelector), trackedConfigs: noTracking, selector, selectorLabels });
    expect(spec.topologySpreadConstraints![0]!.labelSelector).toEqual(expected);
  });

  it('compares with the selector value, not the Deployment name (which Flagger used)', () => {
    const podSpec = specWithSelector({ matchLabels: { app: 'podinfo-service' } });
    const spec = primaryPodSpec({ podSpec, trackedConfigs: noTracking, selector: { key: 'app', value: 'podinfo' }, selectorLabels: ['app'] });
    expect(spec.topologySpreadConstraints![0]!.labelSelector).toEqual({ matchLabels: { app: 'podinfo-service' } });
  });

  it('renames tracked configs', () => {
    const spec = primaryPodSpec({
      podSpec: podinfoPodSpec(), trackedConfigs: { configMaps: new Set(['podinfo-config-vol']), secrets: new Set() }, selector, selectorLabels: ['app'],
    });
    expect(spec.volumes![0]!.configMap!.name).toBe('podinfo-config-vol-primary');
    expect(spec.volumes![1]!.secret!.secretName).toBe('podinfo-secret-vol');
  });

  it('handles a pod spec without affinity, constraints or selectors', () => {
    const podSpec: V1PodSpec = { containers: [], affinity: {}, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway' }] };
    expect(primaryPodSpec({ podSpec, trackedConfigs: noTracking, selector, selectorLabels: ['app'] })).toEqual(podSpec);
  });

  it('never changes its input', () => {
    const podSpec = podinfoPodSpec();
    primaryPodSpec({ podSpec, trackedConfigs: noTracking, selector, selectorLabels: ['app'] });
    expect(podSpec).toEqual(podinfoPodSpec());
  });
});
