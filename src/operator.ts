import { awsCloudWatch } from './adapters/cloudwatch-aws.js';
import { awsElbV2 } from './adapters/elbv2-aws.js';
import { Registry } from 'prom-client';
import { randomUUID } from 'node:crypto';
import type { OperatorConfig } from './config.js';
import { systemClock } from './adapters/system-clock.js';
import { LeaderElector, type LeaseTiming } from './leader-election.js';
import { fenceWrites } from './leader-fence.js';
import type { Kube } from './ports/kube.js';
import type { Logger } from './ports/logger.js';
import { cachesSynced, createClusterCaches, startClusterCaches, stopClusterCaches } from './reconciler/cluster-caches.js';
import { Controller } from './reconciler/controller.js';
import { OnDemandCaches } from './reconciler/on-demand-caches.js';
import { startHttpServer } from './server/http.js';
import { startWebView, type WebView } from './server/web-view.js';
import { createDomainBus } from './telemetry/domain-events.js';
import { recordNoticesAsEvents } from './telemetry/kube-events.js';
import { Recorder } from './telemetry/recorder.js';
import { subscribeOutcomeMetrics } from './telemetry/outcome-metrics.js';
import { ApiRetryMetrics } from './telemetry/api-retry-metrics.js';
import { createAxiosHttpClient } from './metrics/http-client.js';
import { ProviderCache } from './metrics/provider-cache.js';
import { createAxiosHttpPost } from './webhooks/http-port.js';
import { wireNotifications } from './notifications.js';

/** Version reported in `flagger_info`. */
export const VERSION = '0.1.0';

/** A running operator; `stop` shuts it down in order. */
export interface RunningOperator {
  port: number;
  /** Port of the read-only web view, when `--web-port` turned it on. */
  webPort?: number;
  /** This replica's identity in the leader Lease, when leader election is on. */
  leaderIdentity?: string;
  stop(): Promise<void>;
  /** The process-level last net (main.ts): logs and counts a rejection nothing handled. */
  onUnhandledRejection(reason: unknown): void;
}

/**
 * Wires the operator on a cluster: caches, controller, HTTP endpoints, events, and (optionally) leader
 * election, under which the caches and HTTP run on every replica and only the leader ticks canaries.
 */
export async function startOperator(deps: {
  config: OperatorConfig; kube: Kube; logger: Logger; onFatal: (reason: string) => void;
  /** Lease timing; Flagger's (60 s / 15 s / 5 s) unless a test shortens it. */
  leaseTiming?: LeaseTiming;
}): Promise<RunningOperator> {
  const { config, logger } = deps;
  const elector = config.enableLeaderElection
    ? new LeaderElector({ kube: deps.kube, clock: systemClock, logger, namespace: config.leaderElectionNamespace, ...(deps.leaseTiming === undefined ? {} : { timing: deps.leaseTiming }) })
    : undefined;
  // Under leader election no write of the operator reaches the API server unless this replica surely leads.
  const kube = elector === undefined ? deps.kube : fenceWrites(deps.kube, elector, systemClock);
  const registry = new Registry();
  const recorder = new Recorder(registry, { version: VERSION, meshProvider: config.meshProvider });
  const bus = createDomainBus();
  recordNoticesAsEvents({ bus, kube, clock: systemClock, logger });
  subscribeOutcomeMetrics(bus, recorder);
  const retries = new ApiRetryMetrics(registry);
  const caches = createClusterCaches({ kube, clock: systemClock, logger, namespace: config.namespace, observer: retries });
  const webhookHttp = createAxiosHttpPost();
  const metricsHttp = createAxiosHttpClient();
  const unwire = wireNotifications({ bus, http: webhookHttp, clock: systemClock, logger, caches, config });
  const analysis = {
    webhooks: { http: webhookHttp, clock: systemClock, secrets: (ns: string, name: string) => caches.secrets.read(ns, name) },
    metrics: {
      http: metricsHttp, providers: new ProviderCache(), metricsServer: config.metricsServer, awsRegion: config.aws.region,
      cloudWatch: (region: string) => awsCloudWatch({ region, ...(config.aws.endpoint === undefined ? {} : { endpoint: config.aws.endpoint }) }),
    },
  };
  const providerCaches = new OnDemandCaches({ kube, clock: systemClock, logger, namespace: config.namespace, observer: retries });
  const elbv2 = awsElbV2({ region: config.aws.region, endpoint: config.aws.endpoint });
  const controller = new Controller({
    kube, caches, clock: systemClock, logger, bus, recorder, config, newId: randomUUID, analysis, providerObjects: providerCaches.reader(), elbv2,
  },
    { maxConcurrentTicks: config.maxConcurrentAnalyses });
  const server = await startHttpServer({
    port: config.port, registry, readiness: { notReadyReason: () => (cachesSynced(caches) ? null : 'caches not synced yet') },
  });
  // Read from the Canary watch cache on every replica, leader or not: the page costs no API call.
  const webView: WebView | undefined = config.webPort === undefined ? undefined
    : await startWebView({ port: config.webPort, host: config.webAddress, source: caches.canaries, clock: systemClock, logger });
  controller.attach();
  await startClusterCaches(caches);
  if (elector === undefined) controller.start();
  else {
    // On loss no new tick starts; ticks in flight fail at their next write (fenced); then the process exits.
    const onLost = (): void => {
      void controller.stop();
      deps.onFatal('lost leadership');
    };
    // The campaign survives API errors itself; anything else ending it leaves no replica that could lead, so stop.
    elector.run(() => { controller.start(); return Promise.resolve(); }, onLost)
      .catch((error: unknown) => deps.onFatal(`leader election failed: ${String(error)}`));
  }
  logger.info('operator started', {
    node: process.versions.node, port: server.port, namespace: config.namespace ?? '(all)', meshProvider: config.meshProvider,
    ...(webView === undefined ? {} : { webView: `http://${config.webAddress}:${webView.port}/` }),
  });
  return {
    port: server.port,
    ...(webView === undefined ? {} : { webPort: webView.port }),
    ...(elector === undefined ? {} : { leaderIdentity: elector.identity }),
    stop: async () => {
      await controller.stop();
      await elector?.release();
      stopClusterCaches(caches);
      providerCaches.stop();
      unwire();
      await webView?.close();
      await server.close();
    },
    onUnhandledRejection: (reason) => {
      retries.unhandledRejection();
      logger.error('unhandled promise rejection (a bug), the operator keeps running', { error: reason instanceof Error ? reason.stack ?? reason.message : String(reason) });
    },
  };
}
