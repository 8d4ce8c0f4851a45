/**
 * zod schema → Kubernetes structural OpenAPI v3 schema (`openAPIV3Schema` of a CRD).
 *
 * zod's JSON Schema conversion (`z.toJSONSchema`, OpenAPI 3.0 target, input types) is close, but the
 * apiserver only accepts *structural* schemas (apiextensions validation): every node has a `type` unless it
 * is int-or-string or preserves unknown fields; no `$ref`/`$schema`; `properties` and
 * `additionalProperties` are mutually exclusive and `additionalProperties: false` is not allowed; value
 * validation inside `anyOf`/`oneOf` is restricted. This module applies the fix-ups and fails loudly on any
 * construct it does not know, so a schema change can never produce a CRD the apiserver would reject or
 * interpret differently.
 */
import { z } from 'zod';

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One node of an OpenAPI v3 schema. */
export type SchemaNode = { [key: string]: Json };

/**
 * Keys allowed on a generated node, in the order they are written (a fixed order keeps the YAML stable and
 * readable: what a node is first, then its children, then the Kubernetes extensions).
 */
const keyOrder = [
  'description', 'type', 'format', 'enum', 'nullable', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum',
  'minItems', 'maxItems', 'minProperties', 'maxProperties', 'required', 'properties', 'additionalProperties', 'items',
  'x-kubernetes-int-or-string', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys', 'x-kubernetes-validations',
] as const;

const allowedKeys = new Set<string>(keyOrder);

/** Integer bounds zod writes for `z.int()` (safe integers) and `z.int32()`. */
const safeIntBound = Number.MAX_SAFE_INTEGER;
const int32Max = 2_147_483_647;
const int32Min = -2_147_483_648;

/** Converts a zod schema into a structural schema; throws, naming the path, on anything unsupported. */
export function structuralSchema(schema: z.ZodType): SchemaNode {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'throw', cycles: 'throw', reused: 'inline' });
  const { $schema: _ignored, ...root } = json as SchemaNode;
  return fixNode(root, '');
}

function isNode(value: Json | undefined): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(path: string, problem: string): never {
  throw new Error(`cannot make a structural schema at ${path === '' ? '<root>' : path}: ${problem}`);
}

/** Fixes one node and, recursively, its children. */
export function fixNode(input: SchemaNode, path: string): SchemaNode {
  if (input['x-kubernetes-int-or-string'] === true) return intOrString(input);
  for (const key of ['$ref', 'anyOf', 'oneOf', 'allOf', 'not', 'default', 'const', 'exclusiveMinimum', 'exclusiveMaximum']) {
    if (key in input) fail(path, `"${key}" is not supported (use CEL rules, no CRD defaults)`);
  }
  const node: SchemaNode = { ...input };
  fixIntegerBounds(node);
  if (node.format === 'date-time') delete node.pattern;
  fixObject(node, path);
  if (isNode(node.items)) node.items = fixNode(node.items, `${path}[]`);
  const preserves = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (typeof node.type !== 'string' && !preserves) fail(path, 'every node needs a type');
  return ordered(node, path);
}

/** `x-kubernetes-int-or-string` replaces zod's `anyOf: [integer, string]`, which is not structural. */
function intOrString(input: SchemaNode): SchemaNode {
  const node: SchemaNode = {};
  if (typeof input.description === 'string') node.description = input.description;
  node['x-kubernetes-int-or-string'] = true;
  return node;
}

/** Drops the safe-integer bounds of `z.int()` and turns the bounds of `z.int32()` into `format: int32`. */
function fixIntegerBounds(node: SchemaNode): void {
  if (node.type !== 'integer') return;
  if (node.maximum === safeIntBound) delete node.maximum;
  if (node.minimum === -safeIntBound) delete node.minimum;
  if (node.maximum === int32Max) {
    delete node.maximum;
    node.format = 'int32';
  }
  if (node.minimum === int32Min) delete node.minimum;
}

/**
 * Objects: fixes each property; a map keeps `additionalProperties` (its value schema); an open object
 * (`z.looseObject`, `z.record(z.string(), z.unknown())`) becomes `x-kubernetes-preserve-unknown-fields`;
 * `additionalProperties: false` is dropped (the apiserver prunes unknown fields anyway).
 */
function fixObject(node: SchemaNode, path: string): void {
  if (isNode(node.properties)) node.properties = fixProperties(node.properties, path);
  const extra = node.additionalProperties;
  if (extra === undefined) return;
  delete node.additionalProperties;
  if (extra === false) return;
  if (extra === true || (isNode(extra) && Object.keys(extra).length === 0)) {
    node['x-kubernetes-preserve-unknown-fields'] = true;
    return;
  }
  if (!isNode(extra)) fail(path, 'additionalProperties must be a schema');
  if ('properties' in node) fail(path, 'properties and additionalProperties are mutually exclusive');
  node.additionalProperties = fixNode(extra, `${path}.*`);
}

function fixProperties(properties: SchemaNode, path: string): SchemaNode {
  const fixed: SchemaNode = {};
  for (const [name, child] of Object.entries(properties)) {
    if (!isNode(child)) fail(`${path}.${name}`, 'property schema is not an object');
    fixed[name] = fixNode(child, `${path}.${name}`);
  }
  return fixed;
}

/** Returns the node with its keys in {@link keyOrder}; unknown keys are an error. */
function ordered(node: SchemaNode, path: string): SchemaNode {
  for (const key of Object.keys(node)) {
    if (!allowedKeys.has(key)) fail(path, `unexpected JSON Schema keyword "${key}"`);
  }
  const result: SchemaNode = {};
  for (const key of keyOrder) {
    const value = node[key];
    if (value !== undefined) result[key] = value;
  }
  return result;
}
