import { describe, expect, it } from 'vitest';
import type { Ingress } from '../../kube/resources.js';
import type { VirtualService } from '../../routers/istio-objects.js';
import { routeByIngress } from './ingress-routing.js';
import { routeByVirtualService, serviceOfHost, virtualServiceServes, type RoutedRequest } from './istio-routing.js';

const req = (headers: Record<string, string> = {}, path = '/'): RoutedRequest => ({ host: 'podinfo.test', path, method: 'GET', headers });
const fixed = (value: number) => (): number => value;

const vs = (http: NonNullable<VirtualService['spec']>['http'], gateways?: string[]): VirtualService => ({
  metadata: { name: 'podinfo', namespace: 'test' },
  spec: { hosts: ['podinfo'], ...(gateways === undefined ? {} : { gateways }), http },
});
const split = (primary: number, canary: number): NonNullable<NonNullable<VirtualService['spec']>['http']>[number] => ({
  route: [{ destination: { host: 'podinfo-primary' }, weight: primary }, { destination: { host: 'podinfo-canary' }, weight: canary }],
});

describe('routing by a VirtualService', () => {
  it('reads cluster DNS names of every length, and nothing else', () => {
    expect(serviceOfHost('podinfo', 'test')).toEqual({ namespace: 'test', name: 'podinfo' });
    expect(serviceOfHost('podinfo.prod', 'test')).toEqual({ namespace: 'prod', name: 'podinfo' });
    expect(serviceOfHost('podinfo.prod.svc.cluster.local', 'test')).toEqual({ namespace: 'prod', name: 'podinfo' });
    expect(serviceOfHost('app.example.com', 'test')).toBeUndefined();
  });

  it('applies to mesh traffic only when its gateways are absent or include mesh', () => {
    expect(virtualServiceServes(vs([split(100, 0)]), { namespace: 'test', name: 'podinfo' })).toBe(true);
    expect(virtualServiceServes(vs([split(100, 0)], ['public-gateway']), { namespace: 'test', name: 'podinfo' })).toBe(false);
    expect(virtualServiceServes(vs([split(100, 0)]), { namespace: 'other', name: 'podinfo' })).toBe(false);
  });

  it('draws the destination by weight: 90/10 sends draws below 0.9 to the primary and the rest to the canary', () => {
    expect(routeByVirtualService(vs([split(90, 10)]), req(), fixed(0.89))?.destination.name).toBe('podinfo-primary');
    expect(routeByVirtualService(vs([split(90, 10)]), req(), fixed(0.9))?.destination.name).toBe('podinfo-canary');
    expect(routeByVirtualService(vs([split(100, 0)]), req(), fixed(0.999))?.destination.name).toBe('podinfo-primary');
  });

  it('takes the first route whose match holds: exact header, cookie regex (as Flagger writes it), uri prefix', () => {
    const routes = vs([
      { match: [{ headers: { 'x-canary': { exact: 'insider' } } }, { headers: { cookie: { regex: '^(.*?;)?(canary=always)(;.*)?$' } } }], route: [{ destination: { host: 'podinfo-canary' } }] },
      { match: [{ uri: { prefix: '/api/' } }], route: [{ destination: { host: 'podinfo-canary' }, weight: 100 }] },
      split(100, 0),
    ]);
    const to = (r: RoutedRequest): string | undefined => routeByVirtualService(routes, r, fixed(0.5))?.destination.name;
    expect(to(req({ 'x-canary': 'insider' }))).toBe('podinfo-canary');
    expect(to(req({ 'x-canary': 'insider2' }))).toBe('podinfo-primary');
    expect(to(req({ cookie: 'a=b;canary=always;c=d' }))).toBe('podinfo-canary');
    expect(to(req({ cookie: 'canary=never' }))).toBe('podinfo-primary');
    expect(to(req({}, '/api/info?x=1'))).toBe('podinfo-canary');
  });

  it('mirrors to the mirror host for the share mirrorPercentage asks', () => {
    const mirrored = vs([{ ...split(100, 0), mirror: { host: 'podinfo-canary' }, mirrorPercentage: { value: 50 } }]);
    expect(routeByVirtualService(mirrored, req(), fixed(0.4))).toEqual({
      destination: { namespace: 'test', name: 'podinfo-primary' }, mirror: { namespace: 'test', name: 'podinfo-canary' },
    });
    expect(routeByVirtualService(mirrored, req(), fixed(0.6))?.mirror).toBeUndefined();
  });

  it('has no route when no match holds', () => {
    expect(routeByVirtualService(vs([{ match: [{ method: { exact: 'POST' } }], route: [{ destination: { host: 'podinfo' } }] }]), req(), fixed(0))).toBeUndefined();
  });
});

const P = 'nginx.ingress.kubernetes.io';
const ingress = (name: string, backend: string, annotations: Record<string, string> = {}, className = 'nginx'): Ingress => ({
  metadata: { name, namespace: 'test', annotations },
  spec: { ingressClassName: className, rules: [{ host: 'app.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: backend, port: { number: 80 } } } }] } }] },
});
const web = (headers: Record<string, string> = {}): RoutedRequest => ({ host: 'app.example.com', path: '/', method: 'GET', headers });

describe('routing by an NGINX canary Ingress', () => {
  const to = (canary: Record<string, string>, r: RoutedRequest, random = 0.99): string | undefined =>
    routeByIngress([ingress('web', 'podinfo'), ingress('web-canary', 'podinfo-canary', { [`${P}/canary`]: 'true', ...canary })], r, fixed(random))?.destination.name;

  it('splits by canary-weight and labels canary requests with the canary upstream', () => {
    expect(to({ [`${P}/canary-weight`]: '30' }, web(), 0.29)).toBe('podinfo-canary');
    expect(to({ [`${P}/canary-weight`]: '30' }, web(), 0.3)).toBe('podinfo');
    const decision = routeByIngress([ingress('web', 'podinfo'), ingress('web-canary', 'podinfo-canary', { [`${P}/canary`]: 'true', [`${P}/canary-weight`]: '100' })], web(), fixed(0));
    expect(decision).toMatchObject({ provider: 'nginx', ingress: 'web', canary: 'test-podinfo-canary-80' });
  });

  it('lets the header decide first: a value, a pattern, or always/never; other values fall through to the weight', () => {
    expect(to({ [`${P}/canary-by-header`]: 'x-user', [`${P}/canary-by-header-value`]: 'beta' }, web({ 'x-user': 'beta' }))).toBe('podinfo-canary');
    expect(to({ [`${P}/canary-by-header`]: 'x-user', [`${P}/canary-by-header-pattern`]: '^be' }, web({ 'x-user': 'better' }))).toBe('podinfo-canary');
    expect(to({ [`${P}/canary-by-header`]: 'x-canary' }, web({ 'x-canary': 'always' }))).toBe('podinfo-canary');
    expect(to({ [`${P}/canary-by-header`]: 'x-canary', [`${P}/canary-weight`]: '100' }, web({ 'x-canary': 'never' }), 0)).toBe('podinfo');
    expect(to({ [`${P}/canary-by-header`]: 'x-canary', [`${P}/canary-weight`]: '100' }, web({ 'x-canary': 'maybe' }), 0)).toBe('podinfo-canary');
  });

  it('reads canary-by-cookie always/never', () => {
    expect(to({ [`${P}/canary-by-cookie`]: 'canary' }, web({ cookie: 'x=1; canary=always' }))).toBe('podinfo-canary');
    expect(to({ [`${P}/canary-by-cookie`]: 'canary', [`${P}/canary-weight`]: '100' }, web({ cookie: 'canary=never' }), 0)).toBe('podinfo');
  });
});

describe('routing by an ALB forward action', () => {
  it('draws the target group by weight', () => {
    const action = { type: 'forward', forwardConfig: { targetGroups: [
      { serviceName: 'podinfo-primary', servicePort: '80', weight: 70 }, { serviceName: 'podinfo-canary', servicePort: '80', weight: 30 },
    ] } };
    const alb = ingress('web', 'podinfo', { 'alb.ingress.kubernetes.io/actions.podinfo': JSON.stringify(action) }, 'alb');
    expect(routeByIngress([alb], web(), fixed(0.69))).toMatchObject({ provider: 'alb', destination: { name: 'podinfo-primary' } });
    expect(routeByIngress([alb], web(), fixed(0.7))).toMatchObject({ provider: 'alb', destination: { name: 'podinfo-canary' } });
  });
});
