import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { structuralSchema } from './structural.js';

describe('structuralSchema', () => {
  it.each([
    ['an optional string stays a plain string property', z.object({ a: z.string().optional() }),
      { type: 'object', properties: { a: { type: 'string' } } }],
    ['required fields are listed', z.object({ a: z.string(), b: z.boolean().optional() }),
      { type: 'object', required: ['a'], properties: { a: { type: 'string' }, b: { type: 'boolean' } } }],
    ['z.int() loses the safe-integer bounds', z.object({ n: z.int().min(0) }),
      { type: 'object', required: ['n'], properties: { n: { type: 'integer', minimum: 0 } } }],
    ['z.int32() becomes format int32', z.object({ n: z.int32().min(1) }),
      { type: 'object', required: ['n'], properties: { n: { type: 'integer', format: 'int32', minimum: 1 } } }],
    ['an int-or-string union becomes x-kubernetes-int-or-string', z.object({ p: z.union([z.int32(), z.string()]).meta({ 'x-kubernetes-int-or-string': true }) }),
      { type: 'object', required: ['p'], properties: { p: { 'x-kubernetes-int-or-string': true } } }],
    ['a string map keeps additionalProperties', z.object({ m: z.record(z.string(), z.string()) }),
      { type: 'object', required: ['m'], properties: { m: { type: 'object', additionalProperties: { type: 'string' } } } }],
    ['a loose object preserves unknown fields instead of additionalProperties', z.object({ o: z.looseObject({ a: z.string().optional() }) }),
      { type: 'object', required: ['o'], properties: { o: { type: 'object', properties: { a: { type: 'string' } }, 'x-kubernetes-preserve-unknown-fields': true } } }],
    ['a timestamp drops the regex zod adds next to format date-time', z.object({ t: z.iso.datetime({ offset: true }) }),
      { type: 'object', required: ['t'], properties: { t: { type: 'string', format: 'date-time' } } }],
    ['a nullable number stays nullable', z.object({ v: z.number().nullable() }),
      { type: 'object', required: ['v'], properties: { v: { type: 'number', nullable: true } } }],
    ['CEL rules, list limits and list types are carried over', z.object({
      l: z.array(z.string()).max(3).meta({ 'x-kubernetes-list-type': 'set', 'x-kubernetes-validations': [{ rule: 'size(self) > 0', message: 'm' }] }),
    }), {
      type: 'object', required: ['l'], properties: { l: {
        type: 'array', maxItems: 3, items: { type: 'string' }, 'x-kubernetes-list-type': 'set',
        'x-kubernetes-validations': [{ rule: 'size(self) > 0', message: 'm' }],
      } },
    }],
  ])('%s', (_case, schema, expected) => {
    expect(structuralSchema(schema)).toEqual(expected);
  });

  it('writes the keys of a node in a fixed order, whatever order zod uses', () => {
    const schema = z.object({ s: z.string().max(3).regex(/a/).describe('d') });
    const properties = structuralSchema(schema).properties as Record<string, object>;
    expect(Object.keys(properties.s ?? {})).toEqual(['description', 'type', 'pattern', 'maxLength']);
  });

  it.each([
    ['a CRD default', z.object({ a: z.string().default('x') }), 'at .a: "default" is not supported'],
    ['a union other than int-or-string', z.object({ a: z.union([z.string(), z.boolean()]) }), 'at .a: "anyOf" is not supported'],
    ['a node without a type', z.object({ a: z.unknown() }), 'at .a: every node needs a type'],
    ['an exclusive bound', z.object({ a: z.number().positive() }), 'at .a: "exclusiveMinimum" is not supported'],
  ])('refuses %s, naming the path', (_case, schema, message) => {
    expect(() => structuralSchema(schema)).toThrow(message);
  });
});
