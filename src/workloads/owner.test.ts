import { describe, expect, it } from 'vitest';
import type { OwnerReference } from '../ports/kube.js';
import { controllerOwnerReference, controllingCanaryName, isOwnedByCanary } from './owner.js';

describe('controllerOwnerReference', () => {
  it('points at the Canary as controller that blocks owner deletion', () => {
    expect(controllerOwnerReference({ metadata: { name: 'podinfo', uid: 'u-1' } })).toEqual({
      apiVersion: 'flagger.app/v1beta1', kind: 'Canary', name: 'podinfo', uid: 'u-1', controller: true, blockOwnerDeletion: true,
    });
  });

  it('leaves the uid empty rather than inventing one', () => {
    expect(controllerOwnerReference({ metadata: { name: 'podinfo' } }).uid).toBe('');
  });
});

const ref = (kind: string, name: string, controller?: boolean): OwnerReference =>
  ({ apiVersion: 'flagger.app/v1beta1', kind, name, uid: `uid-${name}`, controller });

describe('isOwnedByCanary', () => {
  // Flagger pkg/router/kubernetes_default_test.go TestServiceRouter_isOwnedByCanary
  it.each<[string, OwnerReference[] | undefined, string | undefined, boolean]>([
    ['is owned by the Canary that controls it', [ref('Canary', 'podinfo', true)], 'podinfo', true],
    ['is not owned when the controller is not a Canary', [ref('Deployment', 'podinfo', true)], undefined, false],
    ['is not owned by another Canary', [ref('Canary', 'notpodinfo', true)], 'notpodinfo', false],
    ['is not owned without owner references', undefined, undefined, false],
    ['is not owned through a non-controller reference', [ref('Canary', 'podinfo', false), ref('Canary', 'other')], undefined, false],
    ['finds the controller among several references', [ref('Canary', 'other', false), ref('Canary', 'podinfo', true)], 'podinfo', true],
  ])('%s', (_name, ownerReferences, controller, owned) => {
    expect(controllingCanaryName({ ownerReferences })).toBe(controller);
    expect(isOwnedByCanary({ ownerReferences }, 'podinfo')).toBe(owned);
  });
});
