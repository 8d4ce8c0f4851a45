/**
 * `spec.service` of a Canary (spec §1.2): the apex/primary/canary Services Songbird generates and the
 * routing options the mesh and ingress routers copy into their objects.
 */
import { z } from 'zod';
import { boundedStringMap, celRules, intOrString, routeDuration, shortString, shortStringList } from './common.js';
import { parentReferenceSchema, requestMirrorSchema } from './gateway-api-types.js';
import { corsPolicySchema, headersSchema, httpMatchListSchema, retriesSchema, rewriteSchema, trafficPolicySchema } from './istio-types.js';
import { maxNameLength, maxRouteTimeout } from './limits.js';
import { serviceRules } from './rules.js';

/** Labels and annotations for one of the generated Services. */
export const customMetadataSchema = z.object({
  labels: boundedStringMap.optional(),
  annotations: boundedStringMap.optional(),
});

/** Labels and annotations Songbird keeps on generated Services instead of removing them. */
export const unmanagedMetadataSchema = z.object({
  annotations: shortStringList.optional(),
  labels: shortStringList.optional(),
});

/** `spec.service`: see spec §1.2 for every field. Defaults are applied by `defaults.ts`. */
export const canaryServiceSchema = z.object({
  name: z.string().meta({ maxLength: maxNameLength }).optional().describe('Apex Service name (default: targetRef.name); primary and canary get -primary and -canary'),
  port: z.int32().min(1).max(65535).describe('Service port'),
  portName: shortString.optional().describe('Name of the main Service port (default http)'),
  targetPort: intOrString.optional().describe('Container port number or name (default: port)'),
  appProtocol: shortString.optional().describe('Application protocol of the main port; tcp switches Istio to TCP routes'),
  trafficDistribution: z.enum(['PreferClose', 'PreferSameZone', 'PreferSameNode']).optional()
    .describe('Traffic distribution of the generated Services'),
  portDiscovery: z.boolean().optional().describe('Add every container port of the target to the Services'),
  headless: z.boolean().optional().describe('Generate headless Services (clusterIP: None)'),
  timeout: routeDuration('timeout').optional().describe(`HTTP or gRPC request timeout (at most ${maxRouteTimeout})`),
  backendTimeout: routeDuration('backendTimeout').optional().describe(`Backend request timeout (Gateway API only, at most ${maxRouteTimeout})`),
  gateways: shortStringList.optional().describe('Istio gateways of the VirtualService (default: mesh)'),
  gatewayRefs: z.array(parentReferenceSchema).max(32).optional().describe('Parent Gateways of the HTTPRoute (Gateway API)'),
  hosts: shortStringList.optional().describe('Host names of the VirtualService or HTTPRoute'),
  delegation: z.boolean().optional().describe('Generate an Istio delegate VirtualService'),
  trafficPolicy: trafficPolicySchema.optional().describe('Istio traffic policy copied into both DestinationRules'),
  match: httpMatchListSchema.optional().describe('URI match conditions of the generated routes'),
  rewrite: rewriteSchema.optional().describe('Rewrite HTTP URIs'),
  retries: retriesSchema.optional().describe('Retry policy for HTTP requests'),
  headers: headersSchema.optional().describe('Header operations'),
  mirror: z.array(requestMirrorSchema).max(32).optional().describe('Static request mirror filters (Gateway API only)'),
  corsPolicy: corsPolicySchema.optional().describe('Cross-Origin Resource Sharing policy'),
  meshName: shortString.optional().describe('App Mesh mesh name'),
  backends: shortStringList.optional().describe('App Mesh backends'),
  apex: customMetadataSchema.optional().describe('Metadata of the apex Service (also put on the mesh object)'),
  primary: customMetadataSchema.optional().describe('Metadata of the primary Service'),
  canary: customMetadataSchema.optional().describe('Metadata of the canary Service'),
  unmanagedMetadata: unmanagedMetadataSchema.optional().describe('Metadata keys Songbird preserves on generated Services'),
}).meta(celRules(serviceRules.delegationWithoutHostsOrGateways));

/** `spec.service` of a Canary. */
export type CanaryService = z.infer<typeof canaryServiceSchema>;
