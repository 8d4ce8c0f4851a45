import { awsCloudWatch } from './adapters/cloudwatch-aws.js';
import { awsElbV2 } from './adapters/elbv2-aws.js';
import { Registry } from 'prom-client';
import { randomUUID } from 'node:crypto';
import type { OperatorConfig } from './config.js';
import { systemClock } from './adapters/system-clock.js';
import { LeaderElector } from './leader-election.js';
import type { Kube } from './ports/kube.js';
import type { Logger } from './ports/logger.js';
import { cachesSynced, createClusterCaches, startClusterCaches, stopClusterCaches } from './reconciler/cluster-caches.js';
import { Controller } from './reconciler/controller.js';
import { OnDemandCaches } from './reconciler/on-demand-caches.js';
import { startHttpServer } from './server/http.js';
import { createDomainBus } from './telemetry/domain-events.js';
import { recordNoticesAsEvents } from './telemetry/kube-events.js';
import { Recorder } from './telemetry/recorder.js';
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
  stop(): Promise<void>;
  /** The process-level last net (main.ts): logs and counts a rejection nothing handled. */
  onUnhandledRejection(reason: unknown): void;
}

/**
 * Wires the operator on a cluster: caches, controller, HTTP endpoints, events, and (optionally) leader
 * election, under which the caches and HTTP run on every replica and only the leader ticks canaries.
 */
export async function startOperator(deps: { config: OperatorConfig; kube: Kube; logger: Logger; onFatal: (reason: string) => void }): Promise<RunningOperator> {
  const { config, kube, logger } = deps;
  const registry = new Registry();
  const recorder = new Recorder(registry, { version: VERSION, meshProvider: config.meshProvider });
  const bus = createDomainBus();
  recordNoticesAsEvents({ bus, kube, clock: systemClock, logger });
  const retries = new ApiRetryMetrics(registry);
  const caches = createClusterCaches({ kube, clock: systemClock, logger, namespace: config.namespace, observer: retries });
  const webhookHttp = createAxiosHttpPost();
  const metricsHttp = createAxiosHttpClient();
  const unwire = wireNotifications({ bus, http: webhookHttp, clock: systemClock, logger, caches, config });
  const analysis = {
    webhooks: { http: webhookHttp, clock: systemClock, secrets: (ns: string, name: string) => caches.secrets.get(ns, name) },
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
  const elector = config.enableLeaderElection
    ? new LeaderElector({ kube, clock: systemClock, logger, namespace: config.leaderElectionNamespace })
    : undefined;
  controller.attach();
  await startClusterCaches(caches);
  if (elector === undefined) controller.start();
  else {
    // The campaign survives API errors itself; anything else ending it leaves no replica that could lead, so stop.
    elector.run(() => { controller.start(); return Promise.resolve(); }, () => deps.onFatal('lost leadership'))
      .catch((error: unknown) => deps.onFatal(`leader election failed: ${String(error)}`));
  }
  logger.info('operator started', { port: server.port, namespace: config.namespace ?? '(all)', meshProvider: config.meshProvider });
  return {
    port: server.port,
    stop: async () => {
      await controller.stop();
      await elector?.release();
      stopClusterCaches(caches);
      providerCaches.stop();
      unwire();
      await server.close();
    },
    onUnhandledRejection: (reason) => {
      retries.unhandledRejection();
      logger.error('unhandled promise rejection (a bug), the operator keeps running', { error: reason instanceof Error ? reason.stack ?? reason.message : String(reason) });
    },
  };
}
