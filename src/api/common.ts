/**
 * Building blocks shared by the `flagger.app/v1beta1` schemas: object metadata, references, string maps,
 * durations, timestamps, status conditions, and the zod metadata that the CRD generator turns into
 * Kubernetes schema extensions (`x-kubernetes-validations`, `x-kubernetes-int-or-string`,
 * `x-kubernetes-preserve-unknown-fields`, list types).
 *
 * Nothing here carries a `.default()`: a default in the generated CRD would be persisted by the apiserver,
 * so behavioural defaults live in `defaults.ts` (design C4).
 */
import { z } from 'zod';
import type { CelRule } from './cel-rule.js';
import {
  goDurationAtMost, maxDurationLength, maxMapEntries, maxMapValueLength, maxNameLength, maxNamespaceLength, maxRouteTimeout, maxServiceListItems,
  maxShortStringLength,
} from './limits.js';

export type { CelRule } from './cel-rule.js';

/** zod metadata that becomes `x-kubernetes-validations` on the generated schema node. */
export function celRules(...rules: readonly CelRule[]): { 'x-kubernetes-validations': CelRule[] } {
  return { 'x-kubernetes-validations': [...rules] };
}

/**
 * Flagger's duration pattern for `analysis.interval`, metric intervals and webhook timeouts.
 *
 * parity: Flagger artifacts/flagger/crd.yaml, the pattern has no `$` anchor, so `1m30s` and `10sfoo` pass
 * admission (the latter then falls back to a default, see defaults.ts) while `1h` is rejected. Kept as is so
 * that every manifest Flagger admits is admitted here too.
 */
export const durationPattern = /^[0-9]+(m|s)/;

/** A duration string that must match {@link durationPattern}. */
export const durationString = z.string().regex(durationPattern).meta({ maxLength: maxDurationLength });

/** A string-to-string map (`map[string]string`). */
export const stringMap = z.record(z.string(), z.string());

/**
 * A user-supplied string-to-string map, bounded at admission (entries and value length, see limits.ts); the
 * operator reads stored maps of any size.
 */
export const boundedStringMap = z.record(z.string(), z.string().meta({ maxLength: maxMapValueLength })).meta({ maxProperties: maxMapEntries });

/** A short free-form string (a host, a gateway, a port name), bounded at admission. */
export const shortString = z.string().meta({ maxLength: maxShortStringLength });

/** A list of short strings, bounded at admission. */
export const shortStringList = z.array(shortString).meta({ maxItems: maxServiceListItems });

/** A request timeout copied into routes: a Go duration of at most {@link maxRouteTimeout}, checked at admission. */
export function routeDuration(field: string): z.ZodString {
  return z.string().meta({ maxLength: maxDurationLength, ...celRules(goDurationAtMost(field, maxRouteTimeout)) });
}

/** An RFC 3339 timestamp as the apiserver writes it (`2024-05-01T10:00:00Z`). */
export const timestamp = z.iso.datetime({ offset: true });

/** A port number or a port name (`intstr.IntOrString`). */
export const intOrString = z.union([z.int32(), z.string()]).meta({ 'x-kubernetes-int-or-string': true });

/** An owner reference (`metadata.ownerReferences[]`). */
export const ownerReferenceSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  uid: z.string(),
  controller: z.boolean().optional(),
  blockOwnerDeletion: z.boolean().optional(),
});

/**
 * Object metadata as read from the apiserver; unknown keys are kept so an object can be written back. The
 * generated CRDs reduce `metadata` to `type: object` (the apiserver validates metadata itself).
 */
export const objectMetaSchema = z.looseObject({
  name: z.string(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.int().optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
  ownerReferences: z.array(ownerReferenceSchema).optional(),
  finalizers: z.array(z.string()).optional(),
});

/** Object metadata as read from the apiserver. */
export type ObjectMeta = z.infer<typeof objectMetaSchema>;

/** `apiVersion` and `kind` of a top-level object. */
export const typeMetaShape = {
  apiVersion: z.string().optional().describe('APIVersion defines the versioned schema of this representation of an object.'),
  kind: z.string().optional().describe('Kind is a string value representing the REST resource this object represents.'),
};

/** Reference to a Secret in the namespace of the referring object. */
export const secretRefSchema = z.object({
  name: z.string().min(1).meta({ maxLength: maxNameLength }).describe('Name of the Kubernetes Secret'),
});

/** Reference to an object that may live in another namespace (namespace defaults to the referrer's). */
export const crossNamespaceRefSchema = z.object({
  name: z.string().min(1).meta({ maxLength: maxNameLength }).describe('Name of the referenced object'),
  namespace: z.string().meta({ maxLength: maxNamespaceLength }).optional().describe('Namespace of the referenced object (default: the referrer\'s namespace)'),
});

/** Reference to an object that may live in another namespace. */
export type CrossNamespaceRef = z.infer<typeof crossNamespaceRefSchema>;

/** A reference to another object by `{apiVersion, kind, name}`, restricted to the given kinds. */
export function objectRef<K extends readonly [string, ...string[]]>(
  kinds: K,
  description: string,
): z.ZodObject<{ apiVersion: z.ZodString; kind: z.ZodEnum<{ [k in K[number]]: k }>; name: z.ZodString }> {
  return z.object({
    apiVersion: z.string().max(256).describe('API version of the referenced object'),
    kind: z.enum(kinds).describe('Kind of the referenced object'),
    name: z.string().min(1).meta({ maxLength: maxNameLength }).describe('Name of the referenced object'),
  }).describe(description);
}

/** Status of a condition, as in `metav1.ConditionStatus`. */
export const conditionStatusSchema = z.enum(['True', 'False', 'Unknown']);

/** Status of a condition. */
export type ConditionStatus = z.infer<typeof conditionStatusSchema>;

/**
 * A status condition (Flagger's CanaryCondition shape: `lastUpdateTime` plus `lastTransitionTime`). `type`
 * is an open string in the CRD; the types Songbird writes are listed in `conditions.ts`.
 */
export const conditionSchema = z.object({
  type: z.string().min(1).describe('Type of this condition'),
  status: conditionStatusSchema.describe('Status of this condition'),
  reason: z.string().describe('Reason for the current status of this condition (CamelCase)'),
  message: z.string().optional().describe('Message associated with this condition'),
  lastUpdateTime: timestamp.optional().describe('When this condition was last written with a different status, reason or message'),
  lastTransitionTime: timestamp.optional().describe('When the status of this condition last changed'),
  observedGeneration: z.int().optional().describe('Songbird extension. The spec generation this condition was decided on'),
});

/** A status condition. */
export type Condition = z.infer<typeof conditionSchema>;

/** Status conditions keyed by `type` (a list-map, so server-side apply merges them by type). */
export const conditionsSchema = z.array(conditionSchema).max(32).meta({
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
});
