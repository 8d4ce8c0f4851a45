/**
 * Ports of the generated Services (spec §4): the main port from `spec.service`, plus every container port
 * when port discovery is on, and the order-insensitive comparison that decides whether an update is needed.
 */
import type { V1Container, V1ServicePort } from '@kubernetes/client-node';
import { canonicalJson } from '../core/revision.js';

/** The `spec.service` fields that shape the ports. */
export interface ServicePortOptions {
  port: number;
  /** Name of the main port; `http` when empty. */
  portName?: string;
  /** Container port number or name; the Service port when unset (or 0). */
  targetPort?: number | string;
  appProtocol?: string;
  portDiscovery?: boolean;
}

/** Sidecar containers whose ports are never discovered. */
export const sidecarContainers: ReadonlySet<string> = new Set(['istio-proxy', 'envoy']);

/** `targetPort` as set, or `undefined` for the Go zero values (`0`, `''`, `'0'`) Flagger treats as unset. */
function explicitTargetPort(options: ServicePortOptions): number | string | undefined {
  const { targetPort } = options;
  return targetPort === undefined || targetPort === 0 || targetPort === '' || targetPort === '0' ? undefined : targetPort;
}

/**
 * The Service ports: first the main port `{ name: portName || 'http', protocol: TCP, port, targetPort:
 * targetPort || port, appProtocol? }`, then with port discovery one TCP port per container port (sidecars
 * excluded) named after the container port, or `tcp-<container>-<index>` when unnamed, with port =
 * targetPort = containerPort. The main port's container port is not repeated: the one equal to `targetPort`
 * (by number or by name), or to `port` when `targetPort` is unset. Ports with the same name are added once
 * (the last one wins, as in Flagger's map), and none may reuse the main port's name or number.
 *
 * Example: port 9898, discovery on, container `podinfo` ports `[http 9898, 9797 unnamed]` →
 * `[http 9898→9898, tcp-podinfo-1 9797→9797]`.
 *
 * parity: Flagger pkg/router/kubernetes_default.go reconcileService and pkg/canary/util.go getPorts; the
 * discovered ports are in container order here instead of Go's random map order, and a discovered port
 * that would clash with the main port (which made Flagger's Service invalid) is left out.
 */
export function servicePorts(options: ServicePortOptions, containers: readonly V1Container[]): V1ServicePort[] {
  const main: V1ServicePort = {
    name: options.portName || 'http',
    protocol: 'TCP',
    port: options.port,
    targetPort: explicitTargetPort(options) ?? options.port,
    ...(options.appProtocol ? { appProtocol: options.appProtocol } : {}),
  };
  if (!options.portDiscovery) return [main];
  const discovered = new Map<string, number>();
  for (const container of containers.filter((c) => !sidecarContainers.has(c.name))) {
    (container.ports ?? []).forEach((p, index) => {
      if (!isMainPort(options, p)) discovered.set(p.name || `tcp-${container.name}-${index}`, p.containerPort);
    });
  }
  // A Service rejects two ports with one name or one number; the main port wins such a clash.
  const extra = [...discovered]
    .filter(([name, port]) => name !== main.name && port !== main.port)
    .map(([name, port]): V1ServicePort => ({ name, protocol: 'TCP', port, targetPort: port }));
  return [main, ...extra];
}

function isMainPort(options: ServicePortOptions, port: { name?: string; containerPort: number }): boolean {
  const target = explicitTargetPort(options);
  if (target === undefined) return port.containerPort === options.port;
  return typeof target === 'number' ? port.containerPort === target : port.name === target;
}

/**
 * The desired ports with the `nodePort` of the existing port of the same name, so that an update never
 * reallocates node ports of a NodePort or LoadBalancer Service that was taken over.
 */
export function withExistingNodePorts(desired: readonly V1ServicePort[], existing: readonly V1ServicePort[] | undefined): V1ServicePort[] {
  return desired.map((port) => {
    const nodePort = existing?.find((e) => e.name === port.name && (e.nodePort ?? 0) > 0)?.nodePort;
    return nodePort === undefined ? { ...port } : { ...port, nodePort };
  });
}

/**
 * Whether two port lists are the same regardless of order, reading the apiserver's defaults (protocol TCP,
 * targetPort = port) into unset fields.
 */
export function samePorts(a: readonly V1ServicePort[] | undefined, b: readonly V1ServicePort[] | undefined): boolean {
  return canonicalJson(normalizedPorts(a)) === canonicalJson(normalizedPorts(b));
}

function normalizedPorts(ports: readonly V1ServicePort[] | undefined): unknown[] {
  return (ports ?? [])
    .map((p) => ({
      name: p.name ?? '', protocol: p.protocol ?? 'TCP', port: p.port, targetPort: p.targetPort ?? p.port,
      nodePort: p.nodePort, appProtocol: p.appProtocol,
    }))
    .sort((x, y) => x.port - y.port || x.name.localeCompare(y.name));
}
