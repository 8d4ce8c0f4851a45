import { describe, expect, it } from 'vitest';
import type { CanaryMatch } from '../../api/canary-match.js';
import { RouterConfigError } from '../../errors.js';
import { canaryAnnotations, canaryRoutesPatch, desiredCanaryIngress, readNginxWeights } from './nginx-desired.js';
import { canaryMatchAnnotations } from './nginx-canary-match.js';
import { nginxCanary, sourceIngress } from './nginx-test-fixtures.js';
import type { Weights } from '../router.js';

const P = 'nginx.ingress.kubernetes.io';
const split = (primary: number, canary: number): Weights => ({ primary, canary, mirrored: false });
const withMatch = (canaryMatch: CanaryMatch): ReturnType<typeof nginxCanary> => nginxCanary({ canaryMatch });

describe('canaryMatch on NGINX', () => {
  it.each<[string, CanaryMatch, Record<string, string>]>([
    ['an exact header', { header: { name: 'x-canary', exact: 'on' } }, { [`${P}/canary-by-header`]: 'x-canary', [`${P}/canary-by-header-value`]: 'on' }],
    ['a header prefix, as an anchored pattern', { header: { name: 'x-canary', prefix: 'v1.' } },
      { [`${P}/canary-by-header`]: 'x-canary', [`${P}/canary-by-header-pattern`]: '^v1\\..*' }],
    ['a header regex', { header: { name: 'x-canary', regex: 'o(n|k)' } }, { [`${P}/canary-by-header`]: 'x-canary', [`${P}/canary-by-header-pattern`]: 'o(n|k)' }],
    ['a cookie', { cookie: { name: 'canary' } }, { [`${P}/canary-by-cookie`]: 'canary' }],
  ])('maps %s to the request rule of ingress-nginx', (_case, match, expected) => {
    expect(canaryMatchAnnotations(withMatch(match), P)).toEqual(expected);
  });

  it('writes the rule beside the weight while the canary weight is above 0, and reads the weight back', () => {
    const canary = withMatch({ header: { name: 'x-canary', exact: 'on' } });
    const annotations = canaryAnnotations(canary, sourceIngress(), P, split(90, 10));
    expect(annotations).toEqual({
      [`${P}/canary`]: 'true', [`${P}/canary-weight`]: '10', [`${P}/canary-by-header`]: 'x-canary', [`${P}/canary-by-header-value`]: 'on',
    });
    const ingress = desiredCanaryIngress(canary, sourceIngress(), P, split(90, 10));
    expect(readNginxWeights(canary, ingress, P)).toEqual(split(90, 10));
  });

  it('removes the rule at weight 0', () => {
    const canary = withMatch({ cookie: { name: 'canary' } });
    const during = desiredCanaryIngress(canary, sourceIngress(), P, split(50, 50));
    expect(canaryRoutesPatch(during, canaryAnnotations(canary, sourceIngress(), P, split(100, 0)), P)).toEqual({
      metadata: { resourceVersion: undefined, annotations: { [`${P}/canary-by-cookie`]: null, [`${P}/canary-weight`]: '0' } },
    });
  });

  it("keeps the user's own header rule beside a canaryMatch cookie, and one that says the same as canaryMatch", () => {
    const source = sourceIngress({ annotations: { [`${P}/canary-by-header`]: 'x-tester', [`${P}/canary-by-header-value`]: 'me' } });
    expect(canaryAnnotations(withMatch({ cookie: { name: 'canary' } }), source, P, split(80, 20))).toMatchObject({
      [`${P}/canary-by-header`]: 'x-tester', [`${P}/canary-by-header-value`]: 'me', [`${P}/canary-by-cookie`]: 'canary',
    });
    const same = withMatch({ header: { name: 'x-tester', exact: 'me' } });
    expect(canaryAnnotations(same, source, P, split(80, 20))).toMatchObject({ [`${P}/canary-by-header`]: 'x-tester' });
  });

  it("refuses, naming the field, a canaryMatch header that contradicts the user's header rule, even at weight 0", () => {
    const source = sourceIngress({ annotations: { [`${P}/canary-by-header`]: 'x-tester' } });
    const canary = withMatch({ header: { name: 'x-canary', exact: 'on' } });
    for (const weights of [split(100, 0), split(90, 10)]) {
      const build = (): unknown => canaryAnnotations(canary, source, P, weights);
      expect(build).toThrow(RouterConfigError);
      expect(build).toThrow(`spec.analysis.canaryMatch.header: Ingress web.default sets ${P}/canary-by-header itself`);
    }
  });
});
