import { describe, expect, it } from 'vitest';
import type { Service } from '../kube/resources.js';
import { desiredServices, serviceUpdate, type ServiceOptions, type ServicesInput, type ServiceUpdateOptions } from './services.js';
import { podinfoOwner } from '../../test/fixtures/workloads.js';

const optOut = { 'kustomize.toolkit.fluxcd.io/reconcile': 'disabled', 'helm.toolkit.fluxcd.io/driftDetection': 'disabled' };

function input(service: Partial<ServiceOptions> = {}): ServicesInput {
  return {
    namespace: 'default',
    serviceName: 'podinfo',
    selector: { key: 'app', value: 'podinfo' },
    owner: podinfoOwner,
    service: { port: 9898, ...service },
    targetContainers: [{ name: 'podinfo', ports: [{ name: 'http', containerPort: 9898 }] }],
  };
}

function service(name: string, selectorValue: string, metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name, namespace: 'default',
      labels: { ...metadata.labels, app: name },
      annotations: { ...metadata.annotations, ...optOut },
      ownerReferences: [podinfoOwner],
    },
    spec: { type: 'ClusterIP', selector: { app: selectorValue }, ports: [{ name: 'http', protocol: 'TCP', port: 9898, targetPort: 9898 }] },
  };
}

describe('desiredServices', () => {
  it('builds the apex and primary Services on the primary pods and the canary Service on the target pods', () => {
    expect(desiredServices(input())).toEqual({
      apex: service('podinfo', 'podinfo-primary'),
      primary: service('podinfo-primary', 'podinfo-primary'),
      canary: service('podinfo-canary', 'podinfo'),
    });
  });

  // Flagger pkg/router/kubernetes_default_test.go TestServiceRouter_Create
  it('makes headless Services with the appProtocol on the main port', () => {
    const { canary, primary } = desiredServices(input({ headless: true, appProtocol: 'http' }));
    for (const svc of [canary, primary]) {
      expect(svc.spec).toMatchObject({ clusterIP: 'None', ports: [{ name: 'http', port: 9898, appProtocol: 'http' }] });
    }
  });

  // Flagger pkg/router/kubernetes_default_test.go TestServiceRouter_TrafficDistribution
  it('copies trafficDistribution to all three Services', () => {
    const services = desiredServices(input({ trafficDistribution: 'PreferClose' }));
    expect(Object.values(services).map((s) => s.spec!.trafficDistribution)).toEqual(['PreferClose', 'PreferClose', 'PreferClose']);
  });

  // Flagger pkg/router/kubernetes_default_test.go TestServiceRouter_InitializeMetadata / _ReconcileMetadata
  it('puts each Service its own metadata, the name label and the Flux opt-outs, keeping user toolkit keys', () => {
    const { apex, primary, canary } = desiredServices(input({
      apex: { labels: { test: 'test' }, annotations: { test: 'test', 'kustomize.toolkit.fluxcd.io/prune': 'disabled' } },
      canary: { labels: { test: 'test', app: 'ignored' }, annotations: { 'helm.toolkit.fluxcd.io/driftDetection': 'enabled' } },
    }));
    expect(apex.metadata.labels).toEqual({ test: 'test', app: 'podinfo' });
    expect(apex.metadata.annotations).toEqual({ test: 'test', 'kustomize.toolkit.fluxcd.io/prune': 'disabled', ...optOut });
    expect(canary.metadata.labels).toEqual({ test: 'test', app: 'podinfo-canary' });
    expect(canary.metadata.annotations).toEqual(optOut);
    expect(primary.metadata).toMatchObject({ labels: { app: 'podinfo-primary' }, annotations: optOut });
  });

  it('names the Services after service.name and selects with the target selector label', () => {
    const { apex, canary } = desiredServices({ ...input(), serviceName: 'web', selector: { key: 'name', value: 'podinfo' } });
    expect(apex.metadata.labels).toEqual({ name: 'web' });
    expect(apex.spec!.selector).toEqual({ name: 'podinfo-primary' });
    expect(canary.metadata.name).toBe('web-canary');
  });

  it('adds discovered container ports', () => {
    const services = desiredServices({ ...input({ portDiscovery: true }), targetContainers: [{ name: 'podinfo', ports: [{ containerPort: 9898 }, { name: 'grpc', containerPort: 9999 }] }] });
    expect(services.canary.spec!.ports!.map((p) => `${p.name} ${p.port}`)).toEqual(['http 9898', 'grpc 9999']);
  });
});

/** The Service as the apiserver returns it after creating `desired`: ids and defaults filled in. */
function stored(desired: Service, changes: { spec?: Partial<Service['spec']>; labels?: Record<string, string>; annotations?: Record<string, string> } = {}): Service {
  const copy = structuredClone(desired);
  return {
    ...copy,
    metadata: {
      ...copy.metadata, uid: 'svc-uid', resourceVersion: '12', creationTimestamp: '2024-05-01T10:00:00Z',
      labels: changes.labels ?? copy.metadata.labels, annotations: changes.annotations ?? copy.metadata.annotations,
    },
    spec: { ...copy.spec, clusterIP: '10.0.0.12', clusterIPs: ['10.0.0.12'], sessionAffinity: 'None', ipFamilies: ['IPv4'], ...changes.spec },
    status: { loadBalancer: {} },
  };
}

const owned: ServiceUpdateOptions = { ownedByCanary: true, unmanaged: { labels: [], annotations: [] } };
const takenOver: ServiceUpdateOptions = { ...owned, ownedByCanary: false };

describe('serviceUpdate', () => {
  const { apex, canary } = desiredServices(input());

  it('is nothing in steady state', () => {
    expect(serviceUpdate(stored(canary), canary, owned)).toBeUndefined();
  });

  it('is nothing when only the port order differs', () => {
    const desired = desiredServices(input({ portDiscovery: true })).canary;
    desired.spec!.ports!.push({ name: 'metrics', protocol: 'TCP', port: 8080, targetPort: 8080 });
    const existing = stored(desired, { spec: { ports: [...desired.spec!.ports!].reverse() } });
    expect(serviceUpdate(existing, desired, owned)).toBeUndefined();
  });

  // Flagger pkg/router/kubernetes_default_test.go TestServiceRouter_Update
  it('renames the port when portName changes', () => {
    const desired = desiredServices(input({ portName: 'grpc' })).canary;
    expect(serviceUpdate(stored(canary), desired, owned)).toEqual({
      spec: { ports: [{ name: 'grpc', protocol: 'TCP', port: 9898, targetPort: 9898 }] },
    });
  });

  // Flagger pkg/router/kubernetes_default_test.go TestServiceRouter_Undo
  it('undoes a manual change of the port', () => {
    const existing = stored(canary, { spec: { ports: [{ name: 'http2-podinfo', protocol: 'TCP', port: 8080, targetPort: 9898 }] } });
    expect(serviceUpdate(existing, canary, owned)).toEqual({ spec: { ports: canary.spec!.ports } });
  });

  it('keeps the node ports of a NodePort Service and never changes its type', () => {
    const existing = stored(apex, { spec: { type: 'NodePort', ports: [{ name: 'http', protocol: 'TCP', port: 9898, targetPort: 9898, nodePort: 30080 }] } });
    expect(serviceUpdate(existing, apex, owned)).toBeUndefined();
    const desired = desiredServices(input({ portDiscovery: true })).apex;
    desired.spec!.ports!.push({ name: 'metrics', protocol: 'TCP', port: 8080, targetPort: 8080 });
    expect(serviceUpdate(existing, desired, owned)).toEqual({
      spec: { ports: [{ name: 'http', protocol: 'TCP', port: 9898, targetPort: 9898, nodePort: 30080 }, { name: 'metrics', protocol: 'TCP', port: 8080, targetPort: 8080 }] },
    });
  });

  it('switches a taken-over Service to the primary pods and adds only the Flux opt-outs to its metadata', () => {
    const existing: Service = {
      metadata: {
        name: 'podinfo', namespace: 'default', labels: { app: 'podinfo', team: 'a' },
        annotations: { 'kustomize.toolkit.fluxcd.io/checksum': 'abc', 'helm.toolkit.fluxcd.io/driftDetection': 'enabled' },
      },
      spec: { type: 'LoadBalancer', selector: { app: 'podinfo', version: 'v1' }, ports: [{ name: 'http', protocol: 'TCP', port: 9898, targetPort: 9898, nodePort: 31000 }] },
    };
    expect(serviceUpdate(existing, apex, takenOver)).toEqual({
      metadata: { annotations: optOut },
      spec: { selector: { app: 'podinfo-primary', version: null } },
    });
  });

  it('is nothing for a taken-over Service already in shape', () => {
    const existing = stored(apex, { labels: { mine: 'yes' }, annotations: { ...optOut, note: 'user' } });
    expect(serviceUpdate(existing, apex, takenOver)).toBeUndefined();
  });

  // Flagger pkg/router/kubernetes_default_test.go TestServiceRouter_ReconcileMetadata
  it('replaces the metadata of a Service this Canary owns', () => {
    const before = desiredServices(input({ apex: { labels: { test: 'test' }, annotations: { test: 'test' } } })).apex;
    const after = desiredServices(input({ apex: { labels: { test: 'test1' }, annotations: { test1: 'test' } } })).apex;
    expect(serviceUpdate(stored(before), after, owned)).toEqual({
      metadata: { labels: { test: 'test1' }, annotations: { test1: 'test', test: null } },
    });
  });

  // Flagger pkg/router/kubernetes_default_test.go TestServiceRouter_UnmanagedAnnotations / _UnmanagedLabels /
  // _UnmanagedMetadata_AnnotationsAndLabels
  it.each<[string, ServiceUpdateOptions['unmanaged'], unknown]>([
    ['keeps unmanaged annotations and removes the others', { labels: [], annotations: ['unmanaged'] }, {
      labels: { test: 'expectedvalue', unmanaged: null, removable: null },
      annotations: { test: 'expectedvalue', removable: null },
    }],
    ['keeps unmanaged labels and removes the others', { labels: ['unmanaged'], annotations: [] }, {
      labels: { test: 'expectedvalue', removable: null },
      annotations: { test: 'expectedvalue', unmanaged: null, removable: null },
    }],
    ['keeps unmanaged labels and annotations together', { labels: ['unmanaged'], annotations: ['unmanaged'] }, {
      labels: { test: 'expectedvalue', removable: null },
      annotations: { test: 'expectedvalue', removable: null },
    }],
  ])('%s', (_name, unmanaged, expectedMetadata) => {
    const desired = desiredServices(input({ apex: { labels: { test: 'expectedvalue' }, annotations: { test: 'expectedvalue' } } })).apex;
    const edited = { test: 'newvalue', unmanaged: 'true', removable: 'true' };
    const existing = stored(desired, {
      labels: { ...desired.metadata.labels, ...edited }, annotations: { ...desired.metadata.annotations, ...edited },
    });
    expect(serviceUpdate(existing, desired, { ownedByCanary: true, unmanaged })).toEqual({ metadata: expectedMetadata });
  });

  it('fills in the metadata of an owned Service that lost all of it', () => {
    const existing = stored(canary);
    existing.metadata.labels = undefined;
    existing.metadata.annotations = undefined;
    expect(serviceUpdate(existing, canary, { ownedByCanary: true, unmanaged: { labels: ['app'], annotations: ['x'] } }))
      .toEqual({ metadata: { labels: canary.metadata.labels, annotations: canary.metadata.annotations } });
  });

  it('adds an unmanaged key the Canary asks for when the Service does not have it yet', () => {
    const desired = desiredServices(input({ apex: { labels: { unmanaged: 'initial' } } })).apex;
    const existing = stored(desired, { labels: { app: 'podinfo' } });
    expect(serviceUpdate(existing, desired, { ownedByCanary: true, unmanaged: { labels: ['unmanaged'], annotations: [] } }))
      .toEqual({ metadata: { labels: { unmanaged: 'initial' } } });
  });

  type Distribution = { current?: string; wanted?: string; opts: ServiceUpdateOptions };
  it.each<[string, Distribution, unknown]>([
    ['sets a new trafficDistribution', { wanted: 'PreferClose', opts: owned }, { spec: { trafficDistribution: 'PreferClose' } }],
    ['changes trafficDistribution on a taken-over Service', { current: 'PreferSameZone', wanted: 'PreferClose', opts: takenOver },
      { spec: { trafficDistribution: 'PreferClose' } }],
    ['removes trafficDistribution from an owned Service', { current: 'PreferClose', opts: owned }, { spec: { trafficDistribution: null } }],
    ['leaves the user trafficDistribution of a taken-over Service alone', { current: 'PreferClose', opts: takenOver }, undefined],
  ])('%s', (_name, { current, wanted, opts }, expected) => {
    const desired = desiredServices(input({ trafficDistribution: wanted })).apex;
    expect(serviceUpdate(stored(apex, { spec: { trafficDistribution: current } }), desired, opts)).toEqual(expected);
  });

  it('never changes its inputs', () => {
    const existing = stored(canary, { labels: { other: 'x' } });
    const snapshot = structuredClone(existing);
    const desired = desiredServices(input({ portName: 'grpc' })).canary;
    const desiredSnapshot = structuredClone(desired);
    serviceUpdate(existing, desired, owned);
    expect(existing).toEqual(snapshot);
    expect(desired).toEqual(desiredSnapshot);
  });
});
