import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config.js';
import { policyRules, watchedNamespaceGrants } from '../../../src/kube/rbac-rules.js';
import { chartDir, helm, only, renderChart, type Manifest } from '../../support/helm.js';

interface Container {
  args: string[];
  env?: unknown[];
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  ports: Array<{ name: string; containerPort: number }>;
  securityContext: Record<string, unknown>;
  resources: unknown;
}
interface PodSpec { serviceAccountName: string; securityContext: Record<string, unknown>; containers: Container[] }
interface DeploymentSpec { replicas: number; strategy?: { type: string }; template: { spec: PodSpec } }

const deploymentSpec = (manifests: Manifest[]): DeploymentSpec => only(manifests, 'Deployment').spec as DeploymentSpec;
const container = (manifests: Manifest[]): Container => deploymentSpec(manifests).template.spec.containers[0] as Container;
const kinds = (manifests: Manifest[]): string[] => manifests.map((m) => m.kind).sort();

describe('charts/songbird', () => {
  it('passes helm lint, also with --strict', async () => {
    const { stdout } = await helm(['lint', '--strict', chartDir('songbird')]);
    expect(stdout).toContain('0 chart(s) failed');
  });

  it('renders by default a Deployment, ServiceAccount, metrics Service and cluster-wide RBAC, nothing else', async () => {
    const manifests = await renderChart('songbird');
    expect(kinds(manifests)).toEqual(['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'Service', 'ServiceAccount']);
    const spec = deploymentSpec(manifests);
    expect(spec.replicas).toBe(1);
    expect(spec.strategy?.type).toBe('Recreate');
    expect(spec.template.spec.serviceAccountName).toBe(only(manifests, 'ServiceAccount').metadata.name);
    expect(container(manifests).args).not.toContain('--enable-leader-election=true');
  });

  it('passes flags the operator parses, with the operator defaults for the default values', async () => {
    const config = parseConfig(container(await renderChart('songbird')).args, {});
    expect(config).toMatchObject({
      meshProvider: 'istio', metricsServer: 'http://prometheus:9090', port: 8080, enableConfigTracking: true,
      enableLeaderElection: false, verifyTrafficWeights: true, noCrossNamespaceRefs: false, maxConcurrentAnalyses: 16,
      selectorLabels: ['app', 'name', 'app.kubernetes.io/name'], logLevel: 'info', logFormat: 'json',
    });
    expect(config.namespace).toBeUndefined();
  });

  it('probes /healthz and /readyz over HTTP on the operator port', async () => {
    const c = container(await renderChart('songbird', { port: 9797 }));
    expect(c.args).toContain('--port=9797');
    expect(c.ports).toEqual([{ name: 'http', containerPort: 9797, protocol: 'TCP' }]);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
  });

  it('runs as a numeric non-root user, read-only, without privilege escalation or capabilities, under RuntimeDefault seccomp', async () => {
    const manifests = await renderChart('songbird');
    expect(deploymentSpec(manifests).template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container(manifests).securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 65532, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('grants exactly the rules of the RBAC table (src/kube/rbac-rules.ts), cluster-wide and namespace-scoped', async () => {
    const expected = JSON.parse(JSON.stringify(policyRules(watchedNamespaceGrants))) as unknown;
    expect((only(await renderChart('songbird'), 'ClusterRole') as Manifest & { rules: unknown }).rules).toEqual(expected);
    expect((only(await renderChart('songbird', { namespace: 'team-a' }), 'Role') as Manifest & { rules: unknown }).rules).toEqual(expected);
  });

  it('in namespace-scoped mode passes --namespace and grants a Role and RoleBinding in that namespace, no cluster roles', async () => {
    const manifests = await renderChart('songbird', { namespace: 'team-a' });
    expect(kinds(manifests)).toEqual(['Deployment', 'Role', 'RoleBinding', 'Service', 'ServiceAccount']);
    expect(only(manifests, 'Role').metadata.namespace).toBe('team-a');
    const binding = only(manifests, 'RoleBinding') as Manifest & { roleRef: unknown; subjects: unknown };
    expect(binding.metadata.namespace).toBe('team-a');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'songbird' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'songbird', namespace: 'songbird-system' }]);
    expect(parseConfig(container(manifests).args, {}).namespace).toBe('team-a');
  });

  it('with two replicas turns leader election on, grants the Lease in the release namespace and keeps the PDB', async () => {
    const manifests = await renderChart('songbird', { leaderElection: { replicaCount: 2 }, podDisruptionBudget: { enabled: true } });
    expect(deploymentSpec(manifests).replicas).toBe(2);
    expect(deploymentSpec(manifests).strategy).toBeUndefined();
    const config = parseConfig(container(manifests).args, {});
    expect(config).toMatchObject({ enableLeaderElection: true, leaderElectionNamespace: 'songbird-system' });
    const leaseRole = only(manifests, 'Role', 'songbird-leader-election') as Manifest & { rules: unknown };
    expect(leaseRole.metadata.namespace).toBe('songbird-system');
    expect(leaseRole.rules).toEqual([{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }]);
    expect(only(manifests, 'RoleBinding', 'songbird-leader-election').metadata.namespace).toBe('songbird-system');
    const pdb = only(manifests, 'PodDisruptionBudget') as Manifest & { spec: { minAvailable: number; selector: unknown } };
    expect(pdb.spec.minAvailable).toBe(1);
  });

  it('in namespace-scoped HA mode keeps the Lease in the watched namespace, where --namespace puts it', async () => {
    const manifests = await renderChart('songbird', { namespace: 'team-a', leaderElection: { enabled: true } });
    expect(parseConfig(container(manifests).args, {}).leaderElectionNamespace).toBe('team-a');
    expect(only(manifests, 'Role', 'songbird-leader-election').metadata.namespace).toBe('team-a');
  });

  it('for ALB on EKS passes the AWS region, endpoint and weight verification, and annotates the ServiceAccount for IRSA', async () => {
    const roleArn = 'arn:aws:iam::123456789012:role/songbird';
    const manifests = await renderChart('songbird', {
      meshProvider: 'alb', aws: { region: 'eu-west-1', endpoint: 'http://elbv2.local:5000', verifyTrafficWeights: false },
      serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': roleArn } },
    });
    expect(parseConfig(container(manifests).args, {})).toMatchObject({
      meshProvider: 'alb', aws: { region: 'eu-west-1', endpoint: 'http://elbv2.local:5000' }, verifyTrafficWeights: false,
    });
    expect(only(manifests, 'ServiceAccount').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': roleArn });
  });

  it('passes every other operator flag from its value, and secrets through env', async () => {
    const env = [{ name: 'SLACK_URL', valueFrom: { secretKeyRef: { name: 'alerts', key: 'slack' } } }];
    const manifests = await renderChart('songbird', {
      metricsServer: 'http://prom.monitoring:9090', selectorLabels: 'app.kubernetes.io/name', includeLabelPrefix: 'team.io,app',
      ingressAnnotationsPrefix: 'custom.ingress.io', configTracking: { enabled: false }, noCrossNamespaceRefs: true,
      maxConcurrentAnalyses: 4, clusterName: 'prod-eu', eventWebhook: 'http://events.local/hook', logLevel: 'debug',
      zapEncoding: 'console', slack: { user: 'bot', channel: 'releases', proxyUrl: 'http://proxy:3128' },
      msteams: { url: 'http://teams.local/hook', proxyUrl: 'http://proxy:3128' }, env,
    });
    expect(container(manifests).env).toContainEqual(env[0]);
    expect(parseConfig(container(manifests).args, {})).toMatchObject({
      metricsServer: 'http://prom.monitoring:9090', selectorLabels: ['app.kubernetes.io/name'], includeLabelPrefix: ['team.io', 'app'],
      ingressAnnotationsPrefix: 'custom.ingress.io', enableConfigTracking: false, noCrossNamespaceRefs: true, maxConcurrentAnalyses: 4,
      clusterName: 'prod-eu', eventWebhook: 'http://events.local/hook', logLevel: 'debug', logFormat: 'console',
      slack: { user: 'bot', channel: 'releases', proxyUrl: 'http://proxy:3128' },
      msteams: { url: 'http://teams.local/hook', proxyUrl: 'http://proxy:3128' },
    });
  });

  it('renders a ServiceMonitor on the metrics port and a PodMonitor on the pod port when enabled', async () => {
    const manifests = await renderChart('songbird', { serviceMonitor: { enabled: true, additionalLabels: { release: 'prom' } }, podMonitor: { enabled: true } });
    const serviceMonitor = only(manifests, 'ServiceMonitor') as Manifest & { spec: { endpoints: Array<{ port: string; path: string }> } };
    const service = only(manifests, 'Service') as Manifest & { spec: { ports: Array<{ name: string }> } };
    expect(serviceMonitor.metadata.labels?.release).toBe('prom');
    expect(serviceMonitor.spec.endpoints[0]).toMatchObject({ port: service.spec.ports[0]?.name, path: '/metrics' });
    const podMonitor = only(manifests, 'PodMonitor') as Manifest & { spec: { podMetricsEndpoints: Array<{ port: string }> } };
    expect(podMonitor.spec.podMetricsEndpoints[0]?.port).toBe('http');
  });

  it('renders no RBAC when rbac.create is false and no ServiceAccount when serviceAccount.create is false', async () => {
    const manifests = await renderChart('songbird', { rbac: { create: false }, serviceAccount: { create: false, name: 'existing' } });
    expect(kinds(manifests)).toEqual(['Deployment', 'Service']);
    expect(deploymentSpec(manifests).template.spec.serviceAccountName).toBe('existing');
  });
});
