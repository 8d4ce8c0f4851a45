import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../loadtester/src/config.js';
import { chartDir, helm, only, renderChart, type Manifest } from '../../support/helm.js';

interface Container { args: string[]; securityContext: Record<string, unknown>; volumeMounts: Array<{ name: string; mountPath: string }> }
interface PodSpec { automountServiceAccountToken: boolean; volumes: Array<{ name: string; secret?: { secretName: string } }>; containers: Container[] }

const podSpec = (manifests: Manifest[]): PodSpec => (only(manifests, 'Deployment').spec as { template: { spec: PodSpec } }).template.spec;
const container = (manifests: Manifest[]): Container => podSpec(manifests).containers[0] as Container;

function parsedArgs(manifests: Manifest[]): ReturnType<typeof parseConfig> & { ok: true } {
  const result = parseConfig(container(manifests).args, { POD_NAMESPACE: 'tests' });
  if (!result.ok) throw new Error(result.message);
  return result;
}

describe('charts/loadtester', () => {
  it('passes helm lint, also with --strict', async () => {
    const { stdout } = await helm(['lint', '--strict', chartDir('loadtester')]);
    expect(stdout).toContain('0 chart(s) failed');
  });

  it('renders a Service on port 80 to the load tester port, and flags the load tester parses', async () => {
    const manifests = await renderChart('loadtester', { port: 9191 });
    const service = only(manifests, 'Service') as Manifest & { spec: { ports: unknown[] } };
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    expect((only(manifests, 'Deployment').spec as { template: { spec: { containers: Array<{ ports: unknown }> } } }).template.spec.containers[0]?.ports)
      .toEqual([{ name: 'http', containerPort: 9191, protocol: 'TCP' }]);
    const { config } = parsedArgs(manifests);
    expect(config).toMatchObject({ port: 9191, enableShell: false, allowCommands: [], maxTasks: 32, maxBodyBytes: 1048576, timeoutMs: 3_600_000 });
  });

  it('generates a token Secret and mounts it for --token-file', async () => {
    const manifests = await renderChart('loadtester');
    const secret = only(manifests, 'Secret') as Manifest & { data: { token: string } };
    expect(Buffer.from(secret.data.token, 'base64').toString()).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(podSpec(manifests).volumes).toContainEqual({ name: 'token', secret: { secretName: secret.metadata.name } });
    expect(container(manifests).volumeMounts).toContainEqual({ name: 'token', mountPath: '/etc/loadtester/token', readOnly: true });
    expect(parsedArgs(manifests).config.tokenFile).toBe('/etc/loadtester/token/token');
  });

  it('uses an existing token Secret instead of generating one', async () => {
    const manifests = await renderChart('loadtester', { token: { existingSecret: 'my-token', key: 'value' } });
    expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
    expect(podSpec(manifests).volumes).toContainEqual({ name: 'token', secret: { secretName: 'my-token' } });
    expect(parsedArgs(manifests).config.tokenFile).toBe('/etc/loadtester/token/value');
  });

  it('keeps gates in a ConfigMap it may only get and update, by name', async () => {
    const manifests = await renderChart('loadtester');
    const configMap = only(manifests, 'ConfigMap');
    expect(configMap.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
    const role = only(manifests, 'Role') as Manifest & { rules: unknown };
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['configmaps'], resourceNames: [configMap.metadata.name], verbs: ['get', 'update'] }]);
    const binding = only(manifests, 'RoleBinding') as Manifest & { subjects: unknown };
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: only(manifests, 'ServiceAccount').metadata.name, namespace: 'songbird-system' }]);
    expect(parsedArgs(manifests).config).toMatchObject({ gateStore: 'configmap', gateConfigMap: configMap.metadata.name, gateNamespace: 'songbird-system' });
  });

  it('mounts no API token when gates stay in memory and shell tasks are off', async () => {
    const manifests = await renderChart('loadtester', { gates: { store: 'memory' } });
    expect(manifests.map((m) => m.kind).sort()).toEqual(['Deployment', 'Secret', 'Service', 'ServiceAccount']);
    expect(podSpec(manifests).automountServiceAccountToken).toBe(false);
    expect(podSpec(await renderChart('loadtester')).automountServiceAccountToken).toBe(true);
  });

  it('keeps shell tasks off by default and enables them only with the allow-list given', async () => {
    const manifests = await renderChart('loadtester', { shell: { enabled: true, allowCommands: ['curl', 'helm'] } });
    expect(parsedArgs(manifests).config).toMatchObject({ enableShell: true, allowCommands: ['curl', 'helm'] });
  });

  it('refuses to render shell tasks without an allow-list', async () => {
    await expect(renderChart('loadtester', { shell: { enabled: true } })).rejects.toThrow(/shell.enabled needs shell.allowCommands/);
  });

  it('runs as a numeric non-root user, read-only, without privilege escalation or capabilities', async () => {
    expect(container(await renderChart('loadtester')).securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 65532, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    });
  });
});
