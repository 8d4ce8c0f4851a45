import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CanaryStatus } from '../../src/api/canary-status.js';
import { Resources, type Ingress } from '../../src/kube/resources.js';
import type { Kube, KubeObject } from '../../src/ports/kube.js';
import { CanaryResource } from '../../src/reconciler/cluster-caches.js';
import { aCanary, aConfigMap, aDeployment, aSecret } from '../fixtures/objects.js';

export const IMAGES = { first: 'ghcr.io/stefanprodan/podinfo:6.0.0', good: 'ghcr.io/stefanprodan/podinfo:6.0.1', bad: 'ghcr.io/stefanprodan/podinfo:6.0.2' };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A rollout webhook answering 200, or 500 once `failing` is set: what turns the second run into a rollback. */
export interface RolloutHook { url: string; failing: boolean; close(): Promise<void> }

export async function startRolloutHook(): Promise<RolloutHook> {
  const hook = { failing: false } as RolloutHook;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(hook.failing ? 500 : 200).end(hook.failing ? 'failing' : 'ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hook.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/rollout`;
  hook.close = () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return hook;
}

/** What a {@link ChartRelease} routes through, and the name of its target, Canary and apex Service. */
export interface ReleaseShape { provider: 'istio' | 'nginx' | 'gatewayapi:v1'; name: string }

/**
 * One canary in `namespace`, built to make the operator use every kind of call its chart grants. `istio`: the
 * target reads a ConfigMap and a Secret (copied to -primary, patched on promotion) and has an HPA (cloned, patched
 * on promotion), and `revertOnDeletion` adds a finalizer (patched onto the Canary, and removed on deletion once
 * the target's EndpointSlices are ready). `nginx`: a source Ingress, copied to a canary Ingress whose weight
 * annotations move. `gatewayapi:v1`: an HTTPRoute with weighted backends, attached to a Gateway that no
 * controller runs here (so it reports no status and the weights count as applied). A rollout webhook decides
 * each check. `operatorExit` names why the operator under test has
 * ended, if it has, so that a wait fails at once with that reason.
 */
export class ChartRelease {
  readonly phases: string[] = [];
  private readonly name: string;

  constructor(private readonly kube: Kube, readonly namespace: string, private readonly hook: RolloutHook,
    private readonly shape: ReleaseShape & { operatorExit: () => string | undefined }) {
    this.name = shape.name;
  }

  /** Creates the namespace's workload and its Canary. */
  async create(): Promise<void> {
    const [ns, name] = [this.namespace, this.name];
    const canary = aCanary({ name, namespace: ns, target: name, provider: this.shape.provider, ...(this.shape.provider === 'istio' ? { revertOnDeletion: true } : {}) });
    const spec = canary.spec as Record<string, unknown>;
    if (this.shape.provider === 'istio') {
      await this.kube.create(Resources.configMaps, aConfigMap(`${name}-config`, { color: 'blue' }, ns));
      await this.kube.create(Resources.secrets, aSecret(`${name}-secret`, { token: 'one' }, { namespace: ns }));
      await this.kube.create(Resources.deployments, aDeployment({ name, namespace: ns, replicas: 1, configMap: `${name}-config`, secret: `${name}-secret` }));
      await this.kube.create(Resources.hpas, anHpa(ns, name, 2));
      spec.autoscalerRef = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name };
    } else if (this.shape.provider === 'nginx') {
      await this.kube.create(Resources.deployments, aDeployment({ name, namespace: ns, replicas: 1 }));
      await this.kube.create(Resources.ingresses, anIngress(ns, name));
      spec.ingressRef = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: `${name}-web` };
    } else {
      await this.kube.create(Resources.deployments, aDeployment({ name, namespace: ns, replicas: 1 }));
      spec.service = { ...(spec.service as object), hosts: ['app.example.com'], gatewayRefs: [{ name: 'public', namespace: ns }] };
    }
    spec.analysis = { interval: '10s', threshold: 1, stepWeight: 50, maxWeight: 50, webhooks: [{ name: 'checks', type: 'rollout', url: this.hook.url }] };
    await this.kube.create(CanaryResource, canary);
  }

  async status(): Promise<CanaryStatus> {
    return (await this.kube.get(CanaryResource, this.namespace, this.name))?.status ?? {};
  }

  async primaryImage(): Promise<string | undefined> {
    return (await this.kube.get(Resources.deployments, this.namespace, `${this.name}-primary`))?.spec?.template.spec?.containers[0]?.image;
  }

  /** Waits until the Canary's phase is `phase` and, when given, `also` holds; records every phase seen. */
  async until(phase: string, timeoutMs: number, also: () => Promise<boolean> = () => Promise.resolve(true)): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const exit = this.shape.operatorExit();
      if (exit !== undefined) throw new Error(`the operator ended (${exit}) while waiting for ${phase}`);
      const seen = (await this.status().catch((): CanaryStatus => ({}))).phase ?? '';
      if (this.phases.at(-1) !== seen) this.phases.push(seen);
      if (seen === phase && await also()) return;
      await sleep(250);
    }
    throw new Error(`timed out waiting for ${phase} in ${this.namespace}; phases seen: ${this.phases.join(' → ')}`);
  }

  /**
   * A new image (for istio also a new ConfigMap value, Secret value and HPA maximum): analysed, promoted, and the
   * target scaled down (Succeeded).
   */
  async promote(timeoutMs = 120_000): Promise<void> {
    const at = (suffix: string): { namespace: string; name: string } => ({ namespace: this.namespace, name: `${this.name}${suffix}` });
    if (this.shape.provider === 'istio') {
      await this.kube.patch(Resources.configMaps, at('-config'), { data: { color: 'green' } });
      await this.kube.patch(Resources.secrets, at('-secret'), { data: { token: Buffer.from('two').toString('base64') } });
      await this.kube.patch(Resources.hpas, at(''), { spec: { maxReplicas: 3 } });
    }
    await this.setImage(IMAGES.good);
    await this.until('Succeeded', timeoutMs, async () => (await this.targetReplicas()) === 0);
  }

  /**
   * A new image whose checks fail: rolled back at the first failed check (Failed), the primary kept. The Canary's
   * traffic policy changes with it, so the router brings its DestinationRules to the new one.
   */
  async rollBack(timeoutMs = 90_000): Promise<void> {
    this.hook.failing = true;
    await this.kube.patch(CanaryResource, { namespace: this.namespace, name: this.name },
      { spec: { service: { trafficPolicy: { tls: { mode: 'DISABLE' } } } } });
    await this.setImage(IMAGES.bad);
    await this.until('Failed', timeoutMs, async () => (await this.targetReplicas()) === 0);
  }

  /** Deletes the Canary and waits until its finalizer has run (revertOnDeletion) and it is gone. */
  async remove(timeoutMs = 60_000): Promise<void> {
    await this.kube.delete(CanaryResource, { namespace: this.namespace, name: this.name });
    const deadline = Date.now() + timeoutMs;
    while (await this.kube.get(CanaryResource, this.namespace, this.name) !== undefined) {
      if (Date.now() > deadline) throw new Error(`the Canary in ${this.namespace} was not finalized in ${timeoutMs} ms`);
      await sleep(250);
    }
  }

  /** Reasons of the Warning events in the namespace (a 403 shows there as well as in the logs). */
  async warnings(): Promise<string[]> {
    const events = await this.kube.list(Resources.events, this.namespace);
    return events.items.filter((e) => e.type === 'Warning').map((e) => `${e.reason ?? ''}: ${e.message ?? ''}`);
  }

  private async targetReplicas(): Promise<number | undefined> {
    return (await this.kube.get(Resources.deployments, this.namespace, this.name))?.spec?.replicas;
  }

  private async setImage(image: string): Promise<void> {
    await this.kube.patch(Resources.deployments, { namespace: this.namespace, name: this.name },
      { spec: { template: { spec: { containers: [{ name: 'podinfod', image }] } } } }, { kind: 'strategic' });
  }
}

/** An HPA of Deployment `name` (CPU-based: no metrics server here, so it never scales anything). */
function anHpa(namespace: string, name: string, maxReplicas: number): KubeObject {
  return {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name, namespace },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, minReplicas: 1, maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 90 } } }],
    },
  } as KubeObject;
}

/** The user's Ingress `<name>-web` (class nginx) in front of the apex Service `<name>`. */
function anIngress(namespace: string, name: string): Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: `${name}-web`, namespace },
    spec: {
      ingressClassName: 'nginx',
      rules: [{ host: 'app.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port: { number: 80 } } } }] } }],
    },
  };
}
