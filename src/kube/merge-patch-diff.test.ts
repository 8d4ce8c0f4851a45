import { describe, expect, it } from 'vitest';
import { mergePatch } from '../../test/fakes/json-patch.js';
import { mergePatchDiff } from './merge-patch-diff.js';

describe('mergePatchDiff', () => {
  it.each([
    ['nothing for equal objects', { a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }, undefined],
    ['changed scalars', { phase: 'Initialized' }, { phase: 'Progressing' }, { phase: 'Progressing' }],
    ['null for removed keys', { a: 1, b: 2 }, { a: 1 }, { b: null }],
    ['nested changes only', { m: { x: '1', y: '2' } }, { m: { x: '1', y: '3' } }, { m: { y: '3' } }],
    ['whole arrays when they differ', { l: [1, 2] }, { l: [1, 3] }, { l: [1, 3] }],
    ['a new object', {}, { m: { x: '1' } }, { m: { x: '1' } }],
  ])('gives %s', (_name, before, after, expected) => {
    expect(mergePatchDiff(before, after)).toEqual(expected);
  });

  it.each([
    [{ phase: 'A', trackedConfigs: { a: '1', b: '2' }, conditions: [{ type: 'X' }] }, { phase: 'B', trackedConfigs: { a: '3' }, conditions: [] }],
    [{ a: { b: { c: 1 } } }, { a: { b: {} } }],
    [{}, { x: [{ y: 1 }] }],
  ])('round-trips: applying the patch to before gives after (%#)', (before, after) => {
    const patch = mergePatchDiff(before, after);
    expect(mergePatch(before, patch ?? {})).toEqual(after);
  });
});
