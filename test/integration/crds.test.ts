import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { ApiextensionsV1Api, CustomObjectsApi, type KubernetesObject } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { binaryPath } from '../../src/local-cluster/toolchain.js';
import { installCrds, readManifests, rejection, testKubeConfig, useTestNamespace } from '../support/kube.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const examplesDir = join(root, 'test', 'fixtures', 'flagger-examples');
const crdFiles = ['flagger.app_canaries.yaml', 'flagger.app_metrictemplates.yaml', 'flagger.app_alertproviders.yaml'];
const plurals: Record<string, string> = { Canary: 'canaries', MetricTemplate: 'metrictemplates', AlertProvider: 'alertproviders' };

type Manifest = KubernetesObject & { spec: Record<string, unknown>; status?: Record<string, unknown> };

/**
 * Splits `kubectl get` output into cells by the start of each header column, so that empty cells stay in
 * place (kubectl leaves them blank).
 */
function table(lines: readonly string[]): string[][] {
  const header = lines[0] ?? '';
  const starts = [...header.matchAll(/\S+/g)].map((m) => m.index);
  return lines.map((line) => starts.map((start, i) => line.slice(start, starts[i + 1]).trim()));
}

/** A change to an example: `[path]` removes the field, `[path, value]` sets it (path segments joined by dots). */
type Edit = [string, unknown?];

/** Applies one edit to a plain JSON object; `value` is empty to delete the field. */
function edit(object: Record<string, unknown>, path: string, value: unknown[]): void {
  const keys = path.split('.');
  const last = keys.pop() ?? '';
  let node = object;
  for (const key of keys) node = node[key] as Record<string, unknown>;
  if (value.length === 0) delete node[last];
  else node[last] = value[0];
}

/** The single object of one example file. */
function example(file: string): Manifest {
  const [object] = readManifests(join(examplesDir, file));
  if (object === undefined) throw new Error(`no object in ${file}`);
  return structuredClone(object) as Manifest;
}

const exampleFiles = readdirSync(examplesDir).filter((f) => f.endsWith('.yaml')).sort();

describe('flagger.app CRDs on the real API server', () => {
  const namespace = useTestNamespace('crds');
  const api = (): CustomObjectsApi => testKubeConfig().makeApiClient(CustomObjectsApi);
  const target = (kind: string): { group: string; version: string; namespace: string; plural: string } =>
    ({ group: 'flagger.app', version: 'v1beta1', namespace: namespace(), plural: plurals[kind] ?? '' });
  const create = (object: Manifest): Promise<Manifest> =>
    api().createNamespacedCustomObject({ ...target(object.kind ?? ''), body: object }) as Promise<Manifest>;
  const kubectl = async (...args: string[]): Promise<string[]> => {
    const { stdout } = await run(binaryPath('kubectl'), [...args, '-n', namespace()], { env: process.env });
    return stdout.trimEnd().split('\n');
  };

  beforeAll(async () => {
    for (const file of crdFiles) await installCrds(join(root, 'crds', file));
  });

  it('installs the three generated CRDs and each becomes Established with a status subresource', async () => {
    const extensions = testKubeConfig().makeApiClient(ApiextensionsV1Api);
    for (const name of ['canaries.flagger.app', 'metrictemplates.flagger.app', 'alertproviders.flagger.app']) {
      const crd = await extensions.readCustomResourceDefinition({ name });
      expect(crd.status?.conditions?.find((c) => c.type === 'Established')?.status).toBe('True');
      expect(crd.spec.scope).toBe('Namespaced');
      expect(crd.spec.names.categories).toEqual(['all']);
      expect(crd.spec.versions.map((v) => v.name)).toEqual(['v1beta1']);
      expect(crd.spec.versions[0]?.subresources).toEqual({ status: {} });
      expect(crd.metadata?.annotations?.['helm.sh/resource-policy']).toBe('keep');
    }
  });

  it.each(exampleFiles)('accepts the Flagger example %s unchanged and stores every field of its spec', async (file) => {
    const object = example(file);
    object.metadata = { name: basename(file, '.yaml') };
    const stored = await create(object);
    expect(stored.spec).toEqual(object.spec);
  });

  // Each case edits the Istio canary example: [path, value] sets a field, [path] removes it.
  const invalid: Array<[string, Edit[], string[]]> = [
    ['no analysis strategy', [['analysis.stepWeight']], ['spec.analysis', 'exactly one of iterations, stepWeight or stepWeights must be set']],
    ['two analysis strategies', [['analysis.iterations', 5]], ['spec.analysis', 'exactly one of iterations, stepWeight or stepWeights must be set']],
    ['an interval in hours', [['analysis.interval', '1h']], ['spec.analysis.interval', '^[0-9]+(m|s)']],
    ['no interval', [['analysis.interval']], ['spec.analysis.interval', 'Required value']],
    ['equal session cookie names', [['analysis.sessionAffinity', { cookieName: 'c', primaryCookieName: 'c' }]],
      ['spec.analysis.sessionAffinity.primaryCookieName', 'primaryCookieName must differ from cookieName']],
    ['an unknown provider', [['provider', 'mesh9000']], ['spec.provider', 'Unsupported value: "mesh9000"']],
    ['no targetRef', [['targetRef']], ['spec.targetRef', 'Required value']],
    ['a target kind Flagger does not roll out', [['targetRef.kind', 'StatefulSet']], ['spec.targetRef.kind', 'Unsupported value']],
    ['a negative stepWeight', [['analysis.stepWeight', -10]], ['spec.analysis.stepWeight', 'greater than or equal to 0']],
    ['a decreasing stepWeights ladder', [['analysis.stepWeight'], ['analysis.stepWeights', [20, 10]]],
      ['spec.analysis.stepWeights', 'stepWeights must be strictly increasing']],
    ['provider nginx without ingressRef', [['provider', 'nginx']], ['spec.ingressRef', 'ingressRef is required when provider is nginx']],
    ['provider alb without ingressRef', [['provider', 'alb']], ['spec.ingressRef', 'ingressRef is required when provider is alb']],
    ['provider gatewayapi without gatewayRefs', [['provider', 'gatewayapi:v1']],
      ['spec.service', 'service.gatewayRefs is required when provider is gatewayapi']],
    ['provider knative with a Deployment target', [['provider', 'knative']], ['spec.provider', 'provider knative requires a Knative Service target']],
    ['a custom metric without templateRef or query', [['analysis.metrics.1.templateRef']],
      ['spec.analysis.metrics[1]', 'a metric other than request-success-rate or request-duration needs templateRef or query']],
    ['a threshold range with min above max', [['analysis.metrics.0.thresholdRange', { min: 99, max: 1 }]],
      ['spec.analysis.metrics[0].thresholdRange', 'min must not be greater than max']],
    ['a relative webhook url', [['analysis.webhooks.0.url', '/gate/approve']],
      ['spec.analysis.webhooks[0].url', 'url must be an absolute http or https URL']],
    ['an unknown webhook type', [['analysis.webhooks.0.type', 'pre-flight']], ['spec.analysis.webhooks[0].type', 'Unsupported value']],
    ['a webhook timeout in hours', [['analysis.webhooks.0.timeout', '1h']], ['spec.analysis.webhooks[0].timeout']],
    ['an A/B header matcher with two match kinds', [['analysis.match', [{ headers: { cookie: { exact: 'a', regex: 'b' } } }]]],
      ['spec.analysis.match[0].headers[cookie]', 'exactly one of exact, prefix, suffix or regex must be set']],
    ['a Service port out of range', [['service.port', 70000]], ['spec.service.port']],
    ['an unknown alert severity', [['analysis.alerts', [{ name: 'a', severity: 'critical', providerRef: { name: 'p' } }]]],
      ['spec.analysis.alerts[0].severity', 'Unsupported value']],
  ];

  it.each(invalid)('rejects a Canary with %s with 422 naming the field', async (_case, edits, fragments) => {
    const canary = example('istio-canary.yaml');
    canary.metadata = { name: 'invalid' };
    for (const [path, ...value] of edits) edit(canary.spec, path, value);
    const rejected = await rejection(create(canary));
    expect(rejected.code).toBe(422);
    for (const fragment of fragments) expect(rejected.message).toContain(fragment);
  });

  it('rejects an AlertProvider with neither address nor secretRef, and a MetricTemplate with an unknown provider', async () => {
    const provider = example('slack-alert-provider.yaml');
    delete provider.spec.secretRef;
    const noAddress = await rejection(create(provider));
    expect(noAddress.code).toBe(422);
    expect(noAddress.message).toContain('spec: Invalid value: one of address or secretRef must be set');

    const template = example('istio-latency-metric-template.yaml');
    template.spec.provider = { type: 'victoriametrics' };
    const unknown = await rejection(create(template));
    expect(unknown.code).toBe(422);
    expect(unknown.message).toContain('spec.provider.type: Unsupported value: "victoriametrics"');
  });

  it('keeps a full status with the Songbird extensions written through the status subresource', async () => {
    const canary = example('istio-canary.yaml');
    canary.metadata = { name: 'with-status' };
    const created = await create(canary);
    const status = {
      phase: 'Progressing', canaryWeight: 20, failedChecks: 1, iterations: 0, lastTransitionTime: '2025-01-02T03:04:05Z',
      trackedConfigs: { 'secret/podinfo-secret': '0123456789abcdef' }, lastAppliedSpec: 'abc', lastPromotedSpec: 'def',
      observedGeneration: 1,
      conditions: [
        { type: 'Promoted', status: 'Unknown', reason: 'Progressing', message: 'New revision detected, progressing canary analysis.',
          lastUpdateTime: '2025-01-02T03:04:05Z', lastTransitionTime: '2025-01-02T03:00:00Z' },
        { type: 'Stalled', status: 'False', reason: 'Valid', lastTransitionTime: '2025-01-02T03:00:00Z' },
      ],
      lastMetricValues: {
        'request-success-rate': { value: 99.5, threshold: '>= 99', verdict: 'Pass', time: '2025-01-02T03:04:05Z' },
        latency: { value: null, threshold: '<= 500', verdict: 'Fail', message: 'no values found', query: 'histogram_quantile(0.99, x)',
          time: '2025-01-02T03:04:05Z' },
      },
    };
    const updated = (await api().replaceNamespacedCustomObjectStatus({
      ...target('Canary'), name: 'with-status', body: { ...created, status },
    })) as Manifest;
    expect(updated.status).toEqual(status);
  });

  describe('kubectl get canary', () => {
    beforeAll(async () => {
      const canary = example('istio-canary.yaml');
      canary.metadata = { name: 'columns' };
      const created = await create(canary);
      await api().replaceNamespacedCustomObjectStatus({
        ...target('Canary'), name: 'columns',
        body: { ...created, status: { phase: 'Progressing', canaryWeight: 10, failedChecks: 2, lastTransitionTime: '2025-01-02T03:04:05Z',
          plan: { strategy: 'canary', weights: [10, 20, 30], ticks: 6, intervalSeconds: 15, minSeconds: 90, maxSeconds: 1300,
            startedAt: '2025-01-02T03:04:05Z', expectedEnd: '2025-01-02T03:05:35Z', latestEnd: '2025-01-02T03:25:45Z' } } },
      });
    });

    it("shows Flagger's default columns NAME STATUS WEIGHT LASTTRANSITIONTIME", async () => {
      const lines = await kubectl('get', 'canary', 'columns');
      expect(lines[0]?.split(/\s+/)).toEqual(['NAME', 'STATUS', 'WEIGHT', 'LASTTRANSITIONTIME']);
      expect(table(lines)[1]).toEqual(['columns', 'Progressing', '10', '2025-01-02T03:04:05Z']);
    });

    it('adds the priority-1 columns with -o wide, and the expected end of the run', async () => {
      const lines = await kubectl('get', 'canary', 'columns', '-o', 'wide');
      expect(lines[0]?.split(/\s+/)).toEqual([
        'NAME', 'STATUS', 'WEIGHT', 'SUSPENDED', 'FAILEDCHECKS', 'INTERVAL', 'MIRROR', 'STEPWEIGHT', 'STEPWEIGHTS', 'MAXWEIGHT',
        'EXPECTEDEND', 'LASTTRANSITIONTIME',
      ]);
      expect(table(lines)[1]).toEqual(['columns', 'Progressing', '10', '', '2', '15s', '', '10', '', '30', '2025-01-02T03:05:35Z', '2025-01-02T03:04:05Z']);
    });

    it('lists canaries in kubectl get all (category all)', async () => {
      const lines = await kubectl('get', 'all');
      expect(lines.join('\n')).toContain('canary.flagger.app/columns');
    });
  });
});
