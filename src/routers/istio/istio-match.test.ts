import { describe, expect, it } from 'vitest';
import type { AbMatch, HttpMatchRequest } from '../../api/istio-types.js';
import { abMatchRequest, cookieMatches, cookieRegex, escapeRegex, isCookieRegexFor, mergeMatchConditions } from './istio-match.js';

const api: HttpMatchRequest = { uri: { prefix: '/api' } };
const v2: HttpMatchRequest = { uri: { prefix: '/v2' }, headers: { 'x-env': { exact: 'prod' } } };
const testUser: HttpMatchRequest = { headers: { 'x-user': { exact: 'test' } } };

describe('mergeMatchConditions', () => {
  it.each<[string, HttpMatchRequest[], HttpMatchRequest[], HttpMatchRequest[]]>([
    ['uses the conditions as they are without service matches', [testUser], [], [testUser]],
    ['narrows each condition by each service match', [testUser, { sourceLabels: { app: 'a' } }], [api], [
      { uri: { prefix: '/api' }, headers: { 'x-user': { exact: 'test' } } },
      { uri: { prefix: '/api' }, sourceLabels: { app: 'a' } },
    ]],
    ['builds the cross product of conditions and service matches', [testUser], [api, { uri: { prefix: '/v3' } }], [
      { uri: { prefix: '/api' }, headers: { 'x-user': { exact: 'test' } } },
      { uri: { prefix: '/v3' }, headers: { 'x-user': { exact: 'test' } } },
    ]],
    ["keeps the service match's headers next to the condition's", [testUser], [v2], [
      { uri: { prefix: '/v2' }, headers: { 'x-env': { exact: 'prod' }, 'x-user': { exact: 'test' } } },
    ]],
    ["lets the condition override a service match header of the same name", [{ headers: { 'x-env': { regex: 'dev.*' } } }], [v2], [
      { uri: { prefix: '/v2' }, headers: { 'x-env': { regex: 'dev.*' } } },
    ]],
    ['merges query parameters and source labels key by key', [{ queryParams: { b: { exact: '2' } }, sourceLabels: { y: '2' } }],
      [{ queryParams: { a: { exact: '1' } }, sourceLabels: { x: '1' } }],
      [{ queryParams: { a: { exact: '1' }, b: { exact: '2' } }, sourceLabels: { x: '1', y: '2' } }]],
  ])('%s', (_name, conditions, serviceMatches, expected) => {
    const before = structuredClone([conditions, serviceMatches]);
    expect(mergeMatchConditions(conditions, serviceMatches)).toEqual(expected);
    expect([conditions, serviceMatches]).toEqual(before);
  });
});

describe('abMatchRequest', () => {
  it.each<[string, AbMatch, HttpMatchRequest]>([
    ['keeps exact, prefix and regex header matchers', { headers: { a: { exact: '1' }, b: { prefix: '2' }, c: { regex: '3.*' } } },
      { headers: { a: { exact: '1' }, b: { prefix: '2' }, c: { regex: '3.*' } } }],
    ['turns a suffix, which Istio lacks, into a regex', { headers: { 'user-agent': { suffix: '(beta).v1' } } },
      { headers: { 'user-agent': { regex: '.*\\(beta\\)\\.v1' } } }],
    ['keeps query parameters and source labels', { queryParams: { q: { exact: 'x' } }, sourceLabels: { app: 'a' } },
      { queryParams: { q: { exact: 'x' } }, sourceLabels: { app: 'a' } }],
  ])('%s', (_name, match, expected) => {
    expect(abMatchRequest(match)).toEqual(expected);
  });
});

describe('session cookie matches', () => {
  it.each<[string, string, string]>([
    ['matches the cookie name and value anywhere in the Cookie header', 'flagger-cookie=AbCdEfGhIj', '.*flagger-cookie.*AbCdEfGhIj.*'],
    ['escapes regex characters in the cookie name', 'my.cookie+1=abc', '.*my\\.cookie\\+1.*abc.*'],
  ])('%s', (_name, cookie, expected) => {
    expect(cookieRegex(cookie)).toBe(expected);
  });

  it.each<[string, string | undefined, string | undefined, boolean]>([
    ['recognises a rule for the cookie name', '.*c1.*abc.*', 'c1', true],
    ['does not take a longer cookie name for a shorter one', '.*primary-c1.*abc.*', 'c1', false],
    ['recognises nothing without a cookie name', '.*c1.*abc.*', undefined, false],
    ['recognises nothing for an empty cookie name', '.*c1.*abc.*', '', false],
    ['recognises nothing without a regex', undefined, 'c1', false],
  ])('%s', (_name, regex, name, expected) => {
    expect(isCookieRegexFor(regex, name)).toBe(expected);
  });

  it('puts the cookie condition within each service match', () => {
    expect(cookieMatches('c=abc', [api])).toEqual([{ uri: { prefix: '/api' }, headers: { Cookie: { regex: '.*c.*abc.*' } } }]);
    expect(cookieMatches('c=abc')).toEqual([{ headers: { Cookie: { regex: '.*c.*abc.*' } } }]);
  });

  it('escapes every RE2 metacharacter', () => {
    expect(escapeRegex('a.b*c+d?e(f)g|h[i]j{k}l^m$n\\o')).toBe('a\\.b\\*c\\+d\\?e\\(f\\)g\\|h\\[i\\]j\\{k\\}l\\^m\\$n\\\\o');
  });
});
