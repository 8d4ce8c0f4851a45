import type { V1Container, V1ServicePort } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { samePorts, servicePorts, withExistingNodePorts, type ServicePortOptions } from './service-ports.js';

// Flagger pkg/controller/scheduler_deployment_fixture_test.go: podinfo's ports, plus mesh sidecars.
const containers: V1Container[] = [
  { name: 'podinfo', ports: [{ name: 'http', containerPort: 9898 }, { name: 'http-metrics', containerPort: 8080 }, { containerPort: 8888 }] },
  { name: 'istio-proxy', ports: [{ name: 'http-envoy-prom', containerPort: 15090 }] },
  { name: 'envoy', ports: [{ containerPort: 9901 }] },
  { name: 'sidecar' },
];

const port = (name: string, number: number, targetPort: number | string = number): V1ServicePort =>
  ({ name, protocol: 'TCP', port: number, targetPort });

describe('servicePorts', () => {
  it.each<[string, ServicePortOptions, V1ServicePort[]]>([
    ['builds the main port named http targeting the same port', { port: 9898 }, [port('http', 9898)]],
    ['names the main port after portName', { port: 9898, portName: 'grpc' }, [port('grpc', 9898)]],
    ['targets a container port number', { port: 80, targetPort: 9898 }, [port('http', 80, 9898)]],
    ['targets a container port name', { port: 80, targetPort: 'http' }, [port('http', 80, 'http')]],
    ['reads a zero targetPort as unset', { port: 80, targetPort: 0 }, [port('http', 80)]],
    ['reads a "0" targetPort as unset', { port: 80, targetPort: '0' }, [port('http', 80)]],
    ['sets appProtocol on the main port', { port: 9898, appProtocol: 'http' }, [{ ...port('http', 9898), appProtocol: 'http' }]],
    // Flagger pkg/controller/scheduler_deployment_test.go TestScheduler_DeploymentPortDiscovery
    ['discovers the other container ports, skipping sidecars and the main port', { port: 9898, portDiscovery: true },
      [port('http', 9898), port('http-metrics', 8080), port('tcp-podinfo-2', 8888)]],
    // Flagger pkg/controller/scheduler_deployment_test.go TestScheduler_DeploymentTargetPortNumber
    ['skips the container port the main port targets by number', { port: 80, targetPort: 9898, portDiscovery: true },
      [port('http', 80, 9898), port('http-metrics', 8080), port('tcp-podinfo-2', 8888)]],
    // Flagger pkg/controller/scheduler_deployment_test.go TestScheduler_DeploymentTargetPortName expects
    // `http-metrics 8080` next to `http 8080` too, a duplicate port the apiserver rejects.
    ['skips the container port the main port targets by name and any reuse of its number', { port: 8080, targetPort: 'http', portDiscovery: true },
      [port('http', 8080, 'http'), port('tcp-podinfo-2', 8888)]],
    ['skips a discovered port that reuses the main port name', { port: 80, targetPort: 8080, portName: 'http', portDiscovery: true },
      [port('http', 80, 8080), port('tcp-podinfo-2', 8888)]],
  ])('%s', (_name, options, expected) => {
    expect(servicePorts(options, containers)).toEqual(expected);
  });

  it('adds a port name once, keeping the last container port with it', () => {
    const twice: V1Container[] = [{ name: 'a', ports: [{ name: 'metrics', containerPort: 8080 }] }, { name: 'b', ports: [{ name: 'metrics', containerPort: 8081 }] }];
    expect(servicePorts({ port: 80, portDiscovery: true }, twice)).toEqual([port('http', 80), port('metrics', 8081)]);
  });
});

describe('withExistingNodePorts', () => {
  it('keeps the node port of the existing port with the same name', () => {
    const existing = [{ ...port('http', 9898), nodePort: 30080 }, { ...port('old', 1), nodePort: 30001 }, { ...port('grpc', 9999), nodePort: 0 }];
    expect(withExistingNodePorts([port('http', 9898), port('grpc', 9999)], existing))
      .toEqual([{ ...port('http', 9898), nodePort: 30080 }, port('grpc', 9999)]);
  });

  it('leaves ports alone without an existing Service', () => {
    expect(withExistingNodePorts([port('http', 9898)], undefined)).toEqual([port('http', 9898)]);
  });
});

describe('samePorts', () => {
  it.each<[string, V1ServicePort[] | undefined, V1ServicePort[] | undefined, boolean]>([
    ['ignores order', [port('a', 1), port('b', 2)], [port('b', 2), port('a', 1)], true],
    ['reads the apiserver defaults into unset fields', [{ port: 80 }], [{ name: '', protocol: 'TCP', port: 80, targetPort: 80 }], true],
    ['orders ports with one number by name', [port('b', 1), port('a', 1)], [port('a', 1), port('b', 1)], true],
    ['sees a changed name', [port('http', 9898)], [port('http2-podinfo', 9898)], false],
    ['sees a changed number', [port('http', 9898)], [port('http', 8080, 9898)], false],
    ['sees a changed node port', [{ ...port('http', 80), nodePort: 30080 }], [port('http', 80)], false],
    ['sees a changed appProtocol', [{ ...port('http', 80), appProtocol: 'http' }], [port('http', 80)], false],
    ['sees an added port', [port('http', 80)], [port('http', 80), port('metrics', 8080)], false],
    ['reads absent lists as empty', undefined, [], true],
  ])('%s', (_name, a, b, expected) => {
    expect(samePorts(a, b)).toBe(expected);
  });
});
