/**
 * Typed objects for webhook and notifier tests: a parsed Canary with the analysis given, a Secret built from
 * plain strings, an AlertProvider.
 */
import type { AlertProvider, AlertProviderSpec } from '../../api/alert-provider.js';
import type { CanaryAnalysis, CanaryWebhook } from '../../api/canary-analysis.js';
import type { Canary } from '../../api/canary.js';
import type { CanaryStatus } from '../../api/canary-status.js';
import type { Secret } from '../../kube/resources.js';

/** A podinfo Canary in namespace `test`; `analysis` is merged over a Blue/Green analysis with threshold 2. */
export function aCanary(opts: { analysis?: Partial<CanaryAnalysis>; status?: CanaryStatus; name?: string } = {}): Canary {
  return {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: opts.name ?? 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      progressDeadlineSeconds: 60,
      analysis: { interval: '15s', threshold: 2, iterations: 5, ...opts.analysis },
    },
    ...(opts.status === undefined ? {} : { status: opts.status }),
  };
}

/** A Canary whose only analysis change is the given webhooks. */
export function aCanaryWithHooks(webhooks: CanaryWebhook[], status?: CanaryStatus): Canary {
  return aCanary({ analysis: { webhooks }, ...(status === undefined ? {} : { status }) });
}

/** A Secret whose `data` holds the base64 encoding of each given string. */
export function aSecret(name: string, values: Record<string, string>, namespace = 'test'): Secret {
  const data = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]));
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, data };
}

/** An AlertProvider in the given namespace (default `test`). */
export function anAlertProvider(name: string, spec: AlertProviderSpec, namespace = 'test'): AlertProvider {
  return { apiVersion: 'flagger.app/v1beta1', kind: 'AlertProvider', metadata: { name, namespace }, spec };
}

/** A lookup over a list of namespaced objects, as the watch caches answer. */
export function lookupOf<T extends { metadata: { name: string; namespace?: string } }>(
  objects: readonly T[],
): (namespace: string, name: string) => T | undefined {
  return (namespace, name) => objects.find((o) => o.metadata.name === name && (o.metadata.namespace ?? '') === namespace);
}
