/**
 * The `Canary` kind of `flagger.app/v1beta1` (spec §1.1): what to roll out (`targetRef`), how traffic reaches
 * it (`provider`, `service`, ingress/route/upstream references) and how each run is analysed (`analysis`).
 * These schemas are the only definition of the kind: the CRD in `crds/` is generated from them and every
 * TypeScript type is inferred from them.
 */
import { z } from 'zod';
import { canaryAnalysisSchema } from './canary-analysis.js';
import { canaryServiceSchema } from './canary-service.js';
import { canaryStatusSchema } from './canary-status.js';
import { boundedStringMap, celRules, objectMetaSchema, objectRef, typeMetaShape } from './common.js';
import { maxNamespaceLength, maxProgressDeadlineSeconds, maxUrlLength } from './limits.js';
import { serviceRules, specRules } from './rules.js';

/** Longest `approvalDeadlineSeconds` accepted: 30 days. */
export const maxApprovalDeadlineSeconds = 2_592_000;

/**
 * Traffic providers: Flagger's list plus `alb` (AWS Load Balancer Controller, a Songbird addition). Every
 * value is admitted; one the operator does not implement yet is reported as a Stalled condition naming it
 * (see `validate.ts`), never silently replaced by another router.
 */
export const canaryProviderSchema = z.enum([
  'alb', 'apisix', 'appmesh', 'appmesh:v1beta2', 'contour', 'gatewayapi:v1', 'gatewayapi:v1beta1', 'gloo', 'istio',
  'knative', 'kubernetes', 'kuma', 'linkerd', 'nginx', 'osm', 'skipper', 'smi:v1alpha1', 'smi:v1alpha2', 'smi:v1alpha3',
  'traefik',
]);

/** A traffic provider. */
export type CanaryProvider = z.infer<typeof canaryProviderSchema>;

/** Replica bounds for the primary's HPA or ScaledObject. */
export const scalerReplicasSchema = z.object({
  minReplicas: z.int32().min(1).optional(),
  maxReplicas: z.int32().min(1).optional(),
}).meta(celRules(serviceRules.scalerReplicasOrdered));

/** `spec.autoscalerRef`: the target's HPA or KEDA ScaledObject, cloned for the primary. */
export const autoscalerRefSchema = objectRef(['HorizontalPodAutoscaler', 'ScaledObject'], 'Scaler of the target').extend({
  primaryScalerQueries: boundedStringMap.optional().describe('KEDA trigger name to the query used for the primary ScaledObject'),
  primaryScalerReplicas: scalerReplicasSchema.optional().describe('Replica bounds of the primary scaler'),
});

/** `spec.upstreamRef`: a Gloo Upstream, possibly in another namespace. */
export const upstreamRefSchema = objectRef(['Upstream'], 'Gloo Upstream').extend({
  namespace: z.string().meta({ maxLength: maxNamespaceLength }).optional().describe('Namespace of the Upstream (default: the Canary namespace)'),
});

/** `spec` of a Canary. `targetRef` and `analysis` are required, as in Flagger's CRD. */
export const canarySpecSchema = z.object({
  provider: canaryProviderSchema.optional().describe('Traffic provider (default: the operator\'s --mesh-provider)'),
  metricsServer: z.string().meta({ maxLength: maxUrlLength }).optional().describe('Prometheus URL for the builtin and inline query metrics'),
  targetRef: objectRef(['Deployment', 'DaemonSet', 'Service'], 'The workload to roll out'),
  autoscalerRef: autoscalerRefSchema.optional(),
  ingressRef: objectRef(['Ingress'], 'Ingress of the target (nginx and alb providers)').optional(),
  routeRef: objectRef(['ApisixRoute'], 'APISIX route of the target (apisix provider)').optional(),
  upstreamRef: upstreamRefSchema.optional(),
  service: canaryServiceSchema.optional().describe('The Services Songbird generates for the target'),
  analysis: canaryAnalysisSchema.describe('Canary analysis'),
  progressDeadlineSeconds: z.int32().min(0).meta({ maximum: maxProgressDeadlineSeconds, format: 'int32' }).optional()
    .describe(`Seconds a rollout may make no progress before it fails (default 600, at most ${maxProgressDeadlineSeconds})`),
  approvalDeadlineSeconds: z.int32().min(1).max(maxApprovalDeadlineSeconds).optional().describe('Songbird extension. Seconds a closed '
    + 'confirm-rollout, confirm-promotion or confirm-traffic-increase gate may hold a run before it fails (default 86400, at most 30 days)'),
  skipAnalysis: z.boolean().optional().describe('Promote without analysis'),
  revertOnDeletion: z.boolean().optional().describe('Restore the target and routing when the Canary is deleted'),
  suspend: z.boolean().optional().describe('Pause canary runs; a suspended run resumes where it stopped'),
  verifyTrafficWeights: z.boolean().optional().describe('Songbird extension. Wait until the provider reports the weights applied '
    + '(ALB, through the ELBv2 API) before analysing or scaling down (default true; the operator flag --verify-traffic-weights=false turns it off for all)'),
}).meta(celRules(
  specRules.nginxNeedsIngressRef,
  specRules.albNeedsIngressRef,
  specRules.gatewayApiNeedsGatewayRefs,
  specRules.knativeProviderMatchesTarget,
  specRules.knativeHasNoAutoscaler,
  specRules.daemonSetHasNoAutoscaler,
));

/** `spec` of a Canary. */
export type CanarySpec = z.infer<typeof canarySpecSchema>;

/** A `flagger.app/v1beta1` Canary object. */
export const canarySchema = z.object({
  ...typeMetaShape,
  metadata: objectMetaSchema,
  spec: canarySpecSchema.describe('Desired state: what to roll out and how'),
  status: canaryStatusSchema.optional().describe('Observed state, written by the operator'),
}).describe('Canary describes how a workload is rolled out progressively');

/** A Canary. */
export type Canary = z.infer<typeof canarySchema>;

/** Canary `spec.targetRef`. */
export type CanaryTargetRef = CanarySpec['targetRef'];
