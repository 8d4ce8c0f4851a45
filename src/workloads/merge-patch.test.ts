import { describe, expect, it } from 'vitest';
import { mapPatch } from './merge-patch.js';

describe('mapPatch', () => {
  it.each<[string, Record<string, string> | undefined, Record<string, string> | undefined, Record<string, string | null> | undefined]>([
    ['is nothing for equal maps', { a: '1', b: '2' }, { b: '2', a: '1' }, undefined],
    ['is nothing for two absent maps', undefined, undefined, undefined],
    ['is nothing for an absent and an empty map', undefined, {}, undefined],
    ['sets changed and added keys only', { a: '1', b: '2' }, { a: '1', b: '3', c: '4' }, { b: '3', c: '4' }],
    ['removes keys with null', { a: '1', x: '9' }, { a: '1' }, { x: null }],
    ['fills an absent map', undefined, { a: '1' }, { a: '1' }],
    ['empties a map', { a: '1' }, undefined, { a: null }],
  ])('%s', (_name, existing, desired, expected) => {
    expect(mapPatch(existing, desired)).toEqual(expected);
  });
});
