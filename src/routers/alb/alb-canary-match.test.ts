import { describe, expect, it } from 'vitest';
import type { CanaryMatch } from '../../api/canary-match.js';
import { canaryMatchConditions, checkEvaluations } from './alb-conditions.js';

describe('canaryMatch on ALB', () => {
  it.each<[string, CanaryMatch, string, string]>([
    ['an exact header', { header: { name: 'x-canary', exact: 'on' } }, 'x-canary', 'on'],
    ['a header prefix, as a wildcard', { header: { name: 'x-canary', prefix: 'v1' } }, 'x-canary', 'v1*'],
    ['a cookie, as the Cookie header holding <name>=always', { cookie: { name: 'canary' } }, 'Cookie', '*canary=always*'],
  ])('turns %s into one header condition', (_case, match, httpHeaderName, value) => {
    expect(canaryMatchConditions(match)).toEqual([{ field: 'http-header', httpHeaderConfig: { httpHeaderName, values: [value] } }]);
  });

  it('refuses a regex, naming the field', () => {
    expect(() => canaryMatchConditions({ header: { name: 'x-canary', regex: 'o.*' } }))
      .toThrow('spec.analysis.canaryMatch.header: ALB matches exact values and * or ? wildcards, not regular expressions');
  });

  it("names canaryMatch when the header route would pass ALB's 5 evaluations", () => {
    const conditions = canaryMatchConditions({ header: { name: 'x-canary', exact: 'on' } });
    expect(() => checkEvaluations(conditions, { host: true, paths: 2 }, 'spec.analysis.canaryMatch')).not.toThrow();
    expect(() => checkEvaluations([...conditions, ...conditions, ...conditions], { host: true, paths: 2 }, 'spec.analysis.canaryMatch'))
      .toThrow('spec.analysis.canaryMatch: ALB allows 5 match evaluations per rule and this header route needs 6');
  });
});
