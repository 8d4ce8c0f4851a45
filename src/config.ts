import { Command, Option } from 'commander';
import { z } from 'zod';
import { canaryProviderSchema } from './api/canary.js';

/** The operator's configuration, parsed once from flags and environment and passed down. */
export const operatorConfigSchema = z.object({
  kubeconfig: z.string().optional(),
  namespace: z.string().optional(),
  meshProvider: canaryProviderSchema,
  metricsServer: z.url(),
  selectorLabels: z.array(z.string().min(1)).min(1),
  includeLabelPrefix: z.array(z.string()),
  ingressAnnotationsPrefix: z.string().min(1),
  enableConfigTracking: z.boolean(),
  enableLeaderElection: z.boolean(),
  leaderElectionNamespace: z.string().min(1),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']),
  logFormat: z.enum(['json', 'console']),
  port: z.int().min(0).max(65535),
  webPort: z.int().min(0).max(65535).optional(),
  webAddress: z.string().min(1),
  clusterName: z.string(),
  eventWebhook: z.url().optional(),
  noCrossNamespaceRefs: z.boolean(),
  maxConcurrentAnalyses: z.int().min(1),
  verifyTrafficWeights: z.boolean(),
  aws: z.object({ region: z.string().optional(), endpoint: z.url().optional() }),
  slack: z.object({ url: z.string().optional(), token: z.string().optional(), proxyUrl: z.string().optional(), user: z.string(), channel: z.string().optional() }),
  msteams: z.object({ url: z.string().optional(), proxyUrl: z.string().optional() }),
});

/** The operator's configuration. */
export type OperatorConfig = z.infer<typeof operatorConfigSchema>;

const booleanFlag = (value: string | undefined): boolean => {
  if (value === undefined || value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new Error(`expected true or false, got "${value}"`);
};
const list = (value: string): string[] => value.split(',').map((s) => s.trim()).filter((s) => s !== '');

function program(): Command {
  return new Command('songbird')
    .description('Progressive delivery operator (flagger.app/v1beta1 compatible)')
    .option('--kubeconfig <path>', 'kubeconfig file (default: KUBECONFIG, in-cluster, or the embedded local cluster)')
    .option('--namespace <ns>', 'watch only this namespace')
    .option('--mesh-provider <provider>', 'default traffic provider for canaries without spec.provider', 'istio')
    .option('--metrics-server <url>', 'Prometheus URL for builtin metrics', 'http://prometheus:9090')
    .option('--selector-labels <labels>', 'ordered list of selector labels used to find the app label', 'app,name,app.kubernetes.io/name')
    .option('--include-label-prefix <prefixes>', 'label/annotation prefixes copied to primary workloads (* for all)', '')
    .option('--ingress-annotations-prefix <prefix>', 'annotation prefix of the NGINX canary ingress', 'nginx.ingress.kubernetes.io')
    .addOption(new Option('--enable-config-tracking [bool]', 'track ConfigMaps and Secrets of the target').default(true).argParser(booleanFlag))
    .addOption(new Option('--enable-leader-election [bool]', 'run as one of several replicas with a Lease').default(false).argParser(booleanFlag))
    .option('--leader-election-namespace <ns>', 'namespace of the leader election Lease', 'kube-system')
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .addOption(new Option('--zap-encoding <format>', 'log format: json or console').default('json').choices(['json', 'console']))
    .option('--port <port>', 'port of /metrics, /healthz and /readyz', '8080')
    .option('--web-port <port>', 'port of the read-only web view of every canary (off when unset; 0 picks a free port)')
    .option('--web-address <address>', 'address the web view listens on (0.0.0.0 to reach it through a Service)', '127.0.0.1')
    .option('--cluster-name <name>', 'cluster name added to alerts', '')
    .option('--event-webhook <url>', 'webhook receiving every canary event (env EVENT_WEBHOOK_URL)')
    // Written `--no-cross-namespace-refs[=bool]` by users (see normalizeGoFlags): commander would read a
    // `--no-` prefix as the negation of another flag.
    .addOption(new Option('--forbid-cross-namespace-refs [bool]', 'forbid references to templates/providers in other namespaces (--no-cross-namespace-refs)').default(false).argParser(booleanFlag))
    .option('--max-concurrent-analyses <n>', 'canary ticks that may run at once', '16')
    .addOption(new Option('--verify-traffic-weights [bool]', 'wait until the provider (ALB) reports the weights applied').default(true).argParser(booleanFlag))
    .option('--aws-region <region>', 'AWS region of the ALB and CloudWatch APIs (env AWS_REGION)')
    .option('--aws-endpoint-url <url>', 'endpoint of the ELBv2 and CloudWatch APIs other than AWS\'s (env AWS_ENDPOINT_URL)')
    .option('--slack-url <url>').option('--slack-token <token>').option('--slack-proxy-url <url>')
    .option('--slack-user <user>', 'Slack user name', 'flagger').option('--slack-channel <channel>')
    .option('--msteams-url <url>').option('--msteams-proxy-url <url>')
    .exitOverride();
}

/**
 * Go's flag package (which Flagger's manifests are written for) accepts `-flag`, `-flag=value` and
 * `--flag`; commander only takes the double-dash form. Example: `-mesh-provider=nginx` → `--mesh-provider=nginx`.
 */
export function normalizeGoFlags(argv: readonly string[]): string[] {
  return argv
    .map((arg) => (/^-[a-z][a-z-]+(=.*)?$/.test(arg) ? `-${arg}` : arg))
    .map((arg) => arg.replace(/^--no-cross-namespace-refs/, '--forbid-cross-namespace-refs'));
}

/**
 * Parses flags and environment into a validated config. Environment overrides follow Flagger: SLACK_URL,
 * SLACK_TOKEN, SLACK_PROXY_URL, MSTEAMS_URL, MSTEAMS_PROXY_URL, EVENT_WEBHOOK_URL (which wins over the flag).
 * Throws an error that names the bad flag.
 */
export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv): OperatorConfig {
  const cmd = program();
  cmd.parse(normalizeGoFlags(argv), { from: 'user' });
  const o = cmd.opts<Options>();
  const aws = { region: text(o, 'awsRegion') ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION),
    endpoint: text(o, 'awsEndpointUrl') ?? nonEmpty(env.AWS_ENDPOINT_URL) };
  const parsed = operatorConfigSchema.safeParse({ ...coreSettings(o), ...notifierSettings(o, env), aws });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `--${toFlag(i.path)}: ${i.message}`);
    throw new Error(`invalid configuration: ${issues.join('; ')}`);
  }
  return parsed.data;
}

type Options = Record<string, string | boolean | undefined>;

const nonEmpty = (value: string | undefined): string | undefined => (value === '' ? undefined : value);

function text(o: Options, k: string): string | undefined {
  const v = o[k];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function coreSettings(o: Options): Record<string, unknown> {
  return {
    kubeconfig: text(o, 'kubeconfig'), namespace: text(o, 'namespace'), meshProvider: o.meshProvider, metricsServer: o.metricsServer,
    selectorLabels: list(String(o.selectorLabels)), includeLabelPrefix: list(String(o.includeLabelPrefix ?? '')),
    ingressAnnotationsPrefix: o.ingressAnnotationsPrefix, enableConfigTracking: o.enableConfigTracking,
    enableLeaderElection: o.enableLeaderElection,
    // parity: cmd/flagger/main.go, -namespace replaces the leader election namespace.
    leaderElectionNamespace: text(o, 'namespace') ?? o.leaderElectionNamespace,
    // parity: Flagger's help says `warning`, which it silently maps to info (§12.23); we honour it.
    logLevel: o.logLevel === 'warning' ? 'warn' : o.logLevel, logFormat: o.zapEncoding, port: Number(o.port),
    clusterName: o.clusterName,
    webPort: o.webPort === undefined ? undefined : Number(o.webPort), webAddress: o.webAddress,
    noCrossNamespaceRefs: o.forbidCrossNamespaceRefs,
    maxConcurrentAnalyses: Number(o.maxConcurrentAnalyses),
    verifyTrafficWeights: o.verifyTrafficWeights,
  };
}

function notifierSettings(o: Options, env: NodeJS.ProcessEnv): Record<string, unknown> {
  return {
    eventWebhook: env.EVENT_WEBHOOK_URL ?? text(o, 'eventWebhook'),
    slack: {
      url: env.SLACK_URL ?? text(o, 'slackUrl'), token: env.SLACK_TOKEN ?? text(o, 'slackToken'),
      proxyUrl: env.SLACK_PROXY_URL ?? text(o, 'slackProxyUrl'), user: o.slackUser, channel: text(o, 'slackChannel'),
    },
    msteams: { url: env.MSTEAMS_URL ?? text(o, 'msteamsUrl'), proxyUrl: env.MSTEAMS_PROXY_URL ?? text(o, 'msteamsProxyUrl') },
  };
}

// `['selectorLabels']` → `selector-labels`; nested paths join with a dash (`slack.url` → `slack-url`).
function toFlag(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)).join('-');
}
