import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { binaryPath } from '../../src/local-cluster/toolchain.js';
import { renderChart, type Manifest } from '../support/helm.js';
import { testKubeConfig, useTestNamespace } from '../support/kube.js';
import { CoreV1Api } from '@kubernetes/client-node';

/** `kubectl apply --dry-run=server` of the manifests: the API server validates and admits them, stores nothing. */
async function serverDryRun(manifests: readonly Manifest[]): Promise<string[]> {
  const stdin = manifests.map((m) => stringify(m)).join('---\n');
  const child = execFile(binaryPath('kubectl'), ['apply', '--dry-run=server', '-o', 'name', '-f', '-'], { env: process.env });
  child.stdin?.end(stdin);
  const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('close', (code) => (code === 0 ? resolve({ stdout: out }) : reject(new Error(`kubectl apply --dry-run=server: ${err}`))));
  });
  return stdout.trim().split('\n').sort();
}

const names = (manifests: readonly Manifest[]): string[] =>
  manifests.map((m) => `${m.kind.toLowerCase()}.${m.apiVersion.includes('/') ? (m.apiVersion.split('/')[0] as string) : ''}/${m.metadata.name}`
    .replace('./', '/')).sort();

/** Every manifest the charts render is accepted by the real API server, for each tested set of values. */
describe('Helm charts on the real API server', () => {
  const namespace = useTestNamespace('charts');
  const cases: Array<[string, 'songbird' | 'loadtester', (ns: string) => Record<string, unknown>]> = [
    ['songbird with default values', 'songbird', () => ({})],
    ['songbird namespace-scoped', 'songbird', (ns) => ({ namespace: ns })],
    ['songbird HA with a PodDisruptionBudget', 'songbird', () => ({ leaderElection: { replicaCount: 2 }, podDisruptionBudget: { enabled: true } })],
    ['songbird with the web view and the Grafana dashboard', 'songbird', () => ({ webView: { enabled: true }, grafanaDashboard: { enabled: true } })],
    ['songbird for ALB with IRSA', 'songbird', () => ({ meshProvider: 'alb', aws: { region: 'eu-west-1' }, serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/songbird' } } })],
    ['loadtester with default values', 'loadtester', () => ({})],
    ['loadtester with shell tasks and an existing token Secret', 'loadtester', () => ({ shell: { enabled: true, allowCommands: ['curl'] }, token: { existingSecret: 'mine' } })],
  ];

  it.each(cases)('accepts %s', async (_name, chart, values) => {
    const manifests = await renderChart(chart, values(namespace()), { namespace: namespace(), release: `${chart}-${namespace()}` });
    expect(manifests.length).toBeGreaterThan(3);
    const accepted = await serverDryRun(manifests);
    expect(accepted.map((line) => line.replace(/ \(server dry run\)$/, ''))).toEqual(names(manifests));
  });

  it('ships the Grafana dashboard file unchanged in a sidecar-labelled ConfigMap, and passes the web view flags', async () => {
    const manifests = await renderChart('songbird', { webView: { enabled: true, port: 9797 }, grafanaDashboard: { enabled: true } }, { namespace: namespace(), release: 'songbird-web' });
    const dashboard = manifests.find((m) => m.kind === 'ConfigMap') as Manifest & { data: Record<string, string>; metadata: { labels: Record<string, string> } };
    const file = readFileSync(join(import.meta.dirname, '..', '..', 'charts', 'songbird', 'dashboards', 'songbird-dashboard.json'), 'utf8');
    expect(dashboard.metadata.labels.grafana_dashboard).toBe('1');
    expect(dashboard.data['songbird-dashboard.json']).toBe(file.trimEnd());
    const deployment = manifests.find((m) => m.kind === 'Deployment') as Manifest & { spec: { template: { spec: { containers: { args: string[] }[] } } } };
    expect(deployment.spec.template.spec.containers[0]?.args).toEqual(expect.arrayContaining(['--web-port=9797', '--web-address=127.0.0.1']));
    const off = await renderChart('songbird', {}, { namespace: namespace(), release: 'songbird-off' });
    expect(off.some((m) => m.kind === 'ConfigMap')).toBe(false);
    expect(JSON.stringify(off)).not.toContain('--web-port');
  });

  it('keeps the load tester token of an earlier install: the chart looks up its Secret before generating one', async () => {
    const release = `loadtester-kept-${namespace()}`;
    const token = 'token-from-the-first-install';
    await testKubeConfig().makeApiClient(CoreV1Api).createNamespacedSecret({
      namespace: namespace(),
      body: {
        // As the earlier install left it: owned by the release.
        metadata: { name: `${release}-token`, labels: { 'app.kubernetes.io/managed-by': 'Helm' },
          annotations: { 'meta.helm.sh/release-name': release, 'meta.helm.sh/release-namespace': namespace() } },
        data: { token: Buffer.from(token).toString('base64') },
      },
    });
    // --dry-run=server lets the template's lookup read the cluster, as an upgrade does.
    const manifests = await renderChart('loadtester', {}, { namespace: namespace(), release, args: ['--dry-run=server'] });
    const secret = manifests.find((m) => m.kind === 'Secret') as Manifest & { data: { token: string } };
    expect(Buffer.from(secret.data.token, 'base64').toString()).toBe(token);
    const fresh = await renderChart('loadtester', {}, { namespace: namespace(), release: `loadtester-new-${namespace()}`, args: ['--dry-run=server'] });
    expect(Buffer.from((fresh.find((m) => m.kind === 'Secret') as Manifest & { data: { token: string } }).data.token, 'base64').toString()).toMatch(/^[A-Za-z0-9]{40}$/);
  });
});
