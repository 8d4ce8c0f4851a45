import { describe, expect, it } from 'vitest';
import { parseActionAnnotation } from './manual-action.js';

describe('parseActionAnnotation', () => {
  it.each([
    ['{"id":"a","verb":"promote"}', { id: 'a', verb: 'promote' }],
    ['{"id":"a","verb":"abort","reason":"errors in the logs"}', { id: 'a', verb: 'abort', reason: 'errors in the logs' }],
    ['{"id":"a","verb":"set-weight","weight":0}', { id: 'a', verb: 'set-weight', weight: 0 }],
  ])('reads %s', (value, request) => {
    expect(parseActionAnnotation(value)).toEqual({ ok: true, request });
  });

  it.each<[string, string, string, string]>([
    ['not JSON', 'promote', '', 'the songbird.flagger.app/action annotation is not JSON: '],
    ['an unknown verb', '{"id":"a","verb":"jump"}', 'jump', 'the songbird.flagger.app/action annotation is not a valid action: verb: '],
    ['set-weight without a weight', '{"id":"a","verb":"set-weight"}', 'set-weight', 'is not a valid action: weight: set-weight needs a weight'],
    ['a fractional weight', '{"id":"a","verb":"set-weight","weight":1.5}', 'set-weight', 'is not a valid action: weight: '],
    ['a missing id', '{"verb":"abort"}', 'abort', 'is not a valid action: id: '],
    ['an array', '[1]', '', 'is not a valid action: (value): '],
  ])('refuses %s, naming the field', (_, value, verb, message) => {
    const parsed = parseActionAnnotation(value);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.verb).toBe(verb);
    expect(parsed.message).toContain(message);
  });

  it('answers an invalid request under its own id when it has one, else under one derived from the value', () => {
    expect(parseActionAnnotation('{"id":"mine","verb":"jump"}')).toMatchObject({ ok: false, id: 'mine' });
    const a = parseActionAnnotation('{bad');
    const b = parseActionAnnotation('{bad');
    const c = parseActionAnnotation('{worse');
    expect(a.ok ? '' : a.id).toMatch(/^invalid-[0-9a-f]{8}$/);
    expect(a).toEqual(b);
    expect(a.ok ? '' : a.id).not.toBe(c.ok ? '' : c.id);
  });
});
