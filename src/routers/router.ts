import type { Canary } from '../api/canary.js';
import type { Clock } from '../ports/clock.js';
import type { Kube, KubeObject, ResourceType } from '../ports/kube.js';
import type { ElbV2Port } from '../ports/elbv2.js';
import type { Logger } from '../ports/logger.js';

/** Reads objects, from a watch cache where one exists (steady state then costs no API call). */
export interface ObjectReader {
  get<T extends KubeObject>(type: ResourceType<T>, namespace: string, name: string): Promise<T | undefined>;
}

/** What every router is built with. */
export interface RouterDeps {
  kube: Kube;
  reader: ObjectReader;
  clock: Clock;
  logger: Logger;
  /** Operator flags routers read, e.g. `--ingress-annotations-prefix` for NGINX. */
  settings: { ingressAnnotationsPrefix: string };
  /** AWS ELBv2 reads for ALB weight verification; absent where the operator has no AWS client. */
  elbv2?: ElbV2Port;
}

/**
 * Traffic split between the primary and the canary. Weights always add up to 100; `mirrored` means the
 * primary serves and the canary receives a copy.
 */
export interface Weights {
  primary: number;
  canary: number;
  mirrored: boolean;
}

/** What the provider reports about weights set earlier (e.g. the AWS load balancer for ALB). */
export type VerifyResult = { state: 'applied' } | { state: 'pending'; reason: string };

/**
 * Where a provider's own load balancer publishes the canary's CloudWatch metrics (the ALB builtins): the
 * `LoadBalancer` and `TargetGroup` dimensions, e.g. `app/<name>/<id>` and `targetgroup/<name>/<id>`.
 */
export interface CloudWatchTargets {
  loadBalancer: string;
  targetGroup: string;
}

/**
 * One traffic provider. `reconcile` creates or repairs the provider's objects without touching weights;
 * `getRoutes`/`setRoutes` read and write the split; `finalize` reverts what the router took over when the
 * Canary is deleted with revertOnDeletion; `verifyRoutes`, where the provider applies weights asynchronously,
 * tells whether the split it was asked for is in force yet; `cloudWatchTargets`, where the provider's builtin
 * metrics come from CloudWatch rather than Prometheus, finds the dimensions they are read by.
 */
export interface Router {
  reconcile(canary: Canary): Promise<void>;
  getRoutes(canary: Canary): Promise<Weights>;
  setRoutes(canary: Canary, weights: Weights): Promise<void>;
  finalize(canary: Canary): Promise<void>;
  verifyRoutes?(canary: Canary, weights: Weights): Promise<VerifyResult>;
  cloudWatchTargets?(canary: Canary): Promise<CloudWatchTargets>;
}

/** All traffic on the primary. */
export const ALL_PRIMARY: Weights = { primary: 100, canary: 0, mirrored: false };
