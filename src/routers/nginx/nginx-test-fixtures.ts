/**
 * Test data for the NGINX router: a Canary with `provider: nginx` and `ingressRef`, and the user's Ingress
 * it refers to. Used by the tests only.
 */
import type { CanaryAnalysis } from '../../api/canary-analysis.js';
import type { Canary } from '../../api/canary.js';
import type { Ingress } from '../../kube/resources.js';

/** An NGINX Canary `podinfo` (stepWeight 10, maxWeight 50) whose `ingressRef` is the Ingress `web`. */
export function nginxCanary(analysis: Partial<CanaryAnalysis> = {}, namespace = 'default', name = 'podinfo'): Canary {
  return {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name, namespace, uid: `uid-${name}` },
    spec: {
      provider: 'nginx',
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'web' },
      service: { port: 80, targetPort: 9898 },
      analysis: { interval: '1m', threshold: 5, stepWeight: 10, maxWeight: 50, ...analysis },
    },
  };
}

/**
 * The user's Ingress `web`: host `app.example.com`, `/` to the Service `backend` (default `podinfo`) and
 * `/api` to `other`, TLS, the label `app: podinfo` and the given annotations (default the ingress class).
 */
export function sourceIngress(opts: { backend?: string; annotations?: Record<string, string>; host?: string; namespace?: string } = {}): Ingress {
  const host = opts.host ?? 'app.example.com';
  const backend = (name: string): { service: { name: string; port: { number: number } } } => ({ service: { name, port: { number: 80 } } });
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: 'web', namespace: opts.namespace ?? 'default', labels: { app: 'podinfo' },
      annotations: opts.annotations ?? { 'kubernetes.io/ingress.class': 'nginx' },
    },
    spec: {
      tls: [{ hosts: [host], secretName: 'web-tls' }],
      rules: [{
        host,
        http: {
          paths: [
            { path: '/', pathType: 'Prefix', backend: backend(opts.backend ?? 'podinfo') },
            { path: '/api', pathType: 'Prefix', backend: backend('other') },
          ],
        },
      }],
    },
  };
}
