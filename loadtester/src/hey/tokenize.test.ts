import { describe, expect, it } from 'vitest';
import { tokenize } from './tokenize.js';

describe('splitting command lines without a shell', () => {
  it.each([
    ['hey  -z 1m\thttp://x/', ['hey', '-z', '1m', 'http://x/']],
    ["hey -H 'Cookie: type=insider' http://x/", ['hey', '-H', 'Cookie: type=insider', 'http://x/']],
    ['hey -H "X-A: \\"q\\"" http://x/', ['hey', '-H', 'X-A: "q"', 'http://x/']],
    ["hey -d '{\"a\": \"$b\"}' http://x/", ['hey', '-d', '{"a": "$b"}', 'http://x/']],
    ['a\\ b c', ['a b', 'c']],
    ["ab'cd'\"ef\"", ['abcdef']],
    ['', []],
  ])('splits %j', (text, words) => {
    expect(tokenize(text)).toEqual({ ok: true, words });
  });

  it.each(['a | b', 'a && b', 'a; b', 'a > f', 'a < f', 'echo $(id)', 'echo `id`', 'echo "$HOME"', '(a)'])('reports shell syntax in %j', (text) => {
    const tokens = tokenize(text);
    expect(tokens.ok).toBe(false);
    if (!tokens.ok) expect(tokens.reason).toContain('shell syntax');
  });
});
