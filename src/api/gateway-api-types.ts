/**
 * Gateway API shaped parts of the Canary spec (`service.gatewayRefs`, `service.mirror`), with the
 * validation of the upstream Gateway API types as Flagger's CRD carries them.
 *
 * parity: Flagger artifacts/flagger/crd.yaml, Flagger's CRD defaults `group` and `kind`
 * (`gateway.networking.k8s.io`/`Gateway`, `""`/`Service`); Songbird's CRD has no defaults (design C4), the
 * router applies the same values when they are omitted.
 */
import { z } from 'zod';
import { celRules } from './common.js';
import { serviceRules } from './rules.js';

const groupName = z.string().max(253).regex(/^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/);
const kindName = z.string().min(1).max(63).regex(/^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/);
const objectName = z.string().min(1).max(253);
const namespaceName = z.string().min(1).max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
const portNumber = z.int32().min(1).max(65535);

/** Gateway API ParentReference (`spec.service.gatewayRefs[]`). */
export const parentReferenceSchema = z.object({
  group: groupName.optional().describe('Group of the parent (default gateway.networking.k8s.io)'),
  kind: kindName.optional().describe('Kind of the parent (default Gateway)'),
  namespace: namespaceName.optional().describe('Namespace of the parent (default: the Canary namespace)'),
  name: objectName.describe('Name of the parent'),
  sectionName: z.string().min(1).max(253)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/).optional()
    .describe('Name of a section within the parent (e.g. a listener)'),
  port: portNumber.optional().describe('Network port of the parent'),
});

/** Gateway API ParentReference. */
export type ParentReference = z.infer<typeof parentReferenceSchema>;

/** Backend of a request mirror filter. */
export const mirrorBackendRefSchema = z.object({
  group: groupName.optional().describe('Group of the backend (default "", the core group)'),
  kind: kindName.optional().describe('Kind of the backend (default Service)'),
  name: objectName.describe('Name of the backend'),
  namespace: namespaceName.optional(),
  port: portNumber.optional().describe('Port of the backend; required for a Service'),
}).meta(celRules(serviceRules.mirrorServiceNeedsPort));

/** Gateway API HTTPRequestMirrorFilter (`spec.service.mirror[]`). */
export const requestMirrorSchema = z.object({
  backendRef: mirrorBackendRefSchema,
});

/** Gateway API HTTPRequestMirrorFilter. */
export type RequestMirror = z.infer<typeof requestMirrorSchema>;
