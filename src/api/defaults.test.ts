import { describe, expect, it } from 'vitest';
import type { CanaryAlert, CanaryAnalysis, CanaryMetric, CanaryWebhook } from './canary-analysis.js';
import type { CanaryService } from './canary-service.js';
import type { Canary, CanarySpec } from './canary.js';
import {
  alertProviderChannel, alertProviderUsername, alertSeverity, analysisInterval, analysisIterations, analysisThreshold,
  canaryReadyThreshold, cookieMaxAge, deploymentStrategy, isKnativeTarget, maxWeight, metricInterval, metricOnNoData,
  metricsServer, nextStepWeight, primaryReadyThreshold, progressDeadlineSeconds, refNamespace, resolveProvider,
  serviceNames, servicePortName, serviceTargetPort, skipAnalysis, webhookRetries, webhookTimeout, webhookType,
} from './defaults.js';

function aCanary(analysis: Partial<CanaryAnalysis> = {}, spec: Partial<CanarySpec> = {}, service: Partial<CanaryService> = {}): Canary {
  return {
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 9898, ...service },
      analysis: { interval: '1m', threshold: 5, stepWeight: 10, ...analysis },
      ...spec,
    },
  };
}

/** Canary weights of a run, tick by tick, until promotion starts (weight ≥ maxWeight), as the controller steps. */
function ladder(canary: Canary): number[] {
  const weights: number[] = [];
  let weight = 0;
  while (weight < maxWeight(canary) && weights.length < 20) {
    weight = Math.min(100, weight + nextStepWeight(canary, weight));
    weights.push(weight);
  }
  return weights;
}

describe('analysisInterval', () => {
  it.each([
    ['30s', 30_000],
    ['1m', 60_000],
    ['1m30s', 90_000],
    ['10s', 10_000],
    ['5s', 10_000],
    ['1ms', 10_000],
    ['10sfoo', 60_000],
    ['', 60_000],
  ])('turns interval %j into %d ms', (interval, ms) => {
    expect(analysisInterval(aCanary({ interval }))).toBe(ms);
  });
});

describe('analysisThreshold', () => {
  it.each([[5, 5], [1, 1], [0, 1], [-3, 1]])('turns threshold %d into %d', (threshold, expected) => {
    expect(analysisThreshold(aCanary({ threshold }))).toBe(expected);
  });
});

describe('maxWeight', () => {
  it.each<[string, Partial<CanaryAnalysis>, number]>([
    ['the last rung of the ladder', { stepWeight: undefined, stepWeights: [1, 2, 10, 80] }, 80],
    ['100 when the last rung is above it', { stepWeight: undefined, stepWeights: [1, 2, 10, 200] }, 100],
    ['the last rung even when maxWeight is set', { stepWeight: undefined, stepWeights: [10, 20], maxWeight: 50 }, 20],
    ['maxWeight', { maxWeight: 30 }, 30],
    ['100 when maxWeight is 0', { maxWeight: 0 }, 100],
    ['100 when maxWeight is above it, so that the run reaches promotion', { maxWeight: 150 }, 100],
    ['100 when nothing is set', {}, 100],
  ])('is %s', (_case, analysis, expected) => {
    expect(maxWeight(aCanary(analysis))).toBe(expected);
  });
});

describe('nextStepWeight', () => {
  const ladderCanary = aCanary({ stepWeight: undefined, stepWeights: [1, 2, 10, 80] });
  it.each([[0, 1], [1, 1], [2, 8], [10, 70], [80, 20], [50, 50], [100, 1]])('with stepWeights [1, 2, 10, 80] goes from %d by %d', (weight, step) => {
    expect(nextStepWeight(ladderCanary, weight)).toBe(step);
  });

  it('never steps past 100 on a ladder whose last rung is above 100', () => {
    expect(nextStepWeight(aCanary({ stepWeight: undefined, stepWeights: [1, 2, 10, 200] }), 10)).toBe(90);
  });

  it('is stepWeight at any weight when stepWeight is set', () => {
    expect([0, 10, 95].map((w) => nextStepWeight(aCanary({ stepWeight: 20 }), w))).toEqual([20, 20, 20]);
  });

  it('is 0 when neither stepWeight nor stepWeights is set (Blue/Green and A/B do not step)', () => {
    expect(nextStepWeight(aCanary({ stepWeight: undefined, iterations: 5 }), 0)).toBe(0);
  });

  it.each<[string, Partial<CanaryAnalysis>, number[]]>([
    ['stepWeights [1, 2, 10, 80] walks every rung (Flagger primary 99, 98, 90, 20)', { stepWeight: undefined, stepWeights: [1, 2, 10, 80] }, [1, 2, 10, 80]],
    ['stepWeights [1, 2, 10, 200] ends at 100 (Flagger primary 99, 98, 90, 0)', { stepWeight: undefined, stepWeights: [1, 2, 10, 200] }, [1, 2, 10, 100]],
    ['stepWeight 20 with maxWeight 50 overshoots to 60, as Flagger does', { stepWeight: 20, maxWeight: 50 }, [20, 40, 60]],
    ['stepWeight 50 with maxWeight 100 takes two steps', { stepWeight: 50, maxWeight: 100 }, [50, 100]],
  ])('%s', (_case, analysis, weights) => {
    expect(ladder(aCanary(analysis))).toEqual(weights);
  });
});

describe('deploymentStrategy and analysisIterations', () => {
  it.each<[string, Partial<CanaryAnalysis>, string]>([
    ['A/B testing with match and iterations', { stepWeight: undefined, iterations: 5, match: [{ headers: { x: { exact: 'y' } } }] }, 'ab-testing'],
    ['Blue/Green with iterations only', { stepWeight: undefined, iterations: 5 }, 'blue-green'],
    ['canary with stepWeight', { stepWeight: 10 }, 'canary'],
    ['canary with match but no iterations (Flagger quirk §12.23)', { stepWeight: 10, match: [{ headers: { x: { exact: 'y' } } }] }, 'canary'],
  ])('is %s', (_case, analysis, strategy) => {
    expect(deploymentStrategy(aCanary(analysis))).toBe(strategy);
  });

  it('forces 10 iterations on the kubernetes provider when fewer than 1 are set, and only there', () => {
    const noIterations = aCanary({ stepWeight: 10 });
    expect(analysisIterations(noIterations, 'kubernetes')).toBe(10);
    expect(analysisIterations(noIterations, 'istio')).toBe(0);
    expect(analysisIterations(aCanary({ stepWeight: undefined, iterations: 5 }), 'kubernetes')).toBe(5);
  });
});

describe('spec defaults', () => {
  it('reads skipAnalysis, progressDeadlineSeconds and ready thresholds with their defaults', () => {
    const plain = aCanary();
    expect([skipAnalysis(plain), progressDeadlineSeconds(plain), primaryReadyThreshold(plain), canaryReadyThreshold(plain)]).toEqual([false, 600, 100, 100]);
    const set = aCanary({ primaryReadyThreshold: 50, canaryReadyThreshold: 0 }, { skipAnalysis: true, progressDeadlineSeconds: 60 });
    expect([skipAnalysis(set), progressDeadlineSeconds(set), primaryReadyThreshold(set), canaryReadyThreshold(set)]).toEqual([true, 60, 50, 0]);
  });

  it('names the Services after targetRef, or after service.name when set', () => {
    expect(serviceNames(aCanary())).toEqual({ apex: 'podinfo', primary: 'podinfo-primary', canary: 'podinfo-canary' });
    expect(serviceNames(aCanary({}, {}, { name: 'podinfo-svc' }))).toEqual({ apex: 'podinfo-svc', primary: 'podinfo-svc-primary', canary: 'podinfo-svc-canary' });
    expect(serviceNames(aCanary({}, {}, { name: '' })).apex).toBe('podinfo');
  });

  it.each<[string, Partial<CanaryService>, string, number | string | undefined]>([
    ['defaults portName to http and targetPort to port', {}, 'http', 9898],
    ['keeps a named targetPort', { portName: 'http-podinfo', targetPort: 'http' }, 'http-podinfo', 'http'],
    ['keeps a numeric targetPort', { port: 80, targetPort: 9898 }, 'http', 9898],
    ['treats targetPort 0 as unset', { port: 80, targetPort: 0 }, 'http', 80],
  ])('%s', (_case, service, portName, targetPort) => {
    const canary = aCanary({}, {}, service);
    expect([servicePortName(canary), serviceTargetPort(canary)]).toEqual([portName, targetPort]);
  });

  it('resolves the provider from spec.provider, else the operator default, else istio', () => {
    expect(resolveProvider(aCanary({}, { provider: 'nginx' }), 'kubernetes')).toBe('nginx');
    expect(resolveProvider(aCanary(), 'kubernetes')).toBe('kubernetes');
    expect(resolveProvider(aCanary())).toBe('istio');
  });

  it('uses spec.metricsServer over the operator default unless it is empty', () => {
    expect(metricsServer(aCanary({}, { metricsServer: 'http://prom:9090' }), 'http://prometheus:9090')).toBe('http://prom:9090');
    expect(metricsServer(aCanary({}, { metricsServer: '' }), 'http://prometheus:9090')).toBe('http://prometheus:9090');
  });

  it('recognises a Knative Service target by apiVersion and kind', () => {
    expect(isKnativeTarget(aCanary({}, { targetRef: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'p' } }))).toBe(true);
    expect(isKnativeTarget(aCanary({}, { targetRef: { apiVersion: 'v1', kind: 'Service', name: 'p' } }))).toBe(false);
  });

  it('resolves reference namespaces to the Canary namespace when omitted or empty', () => {
    expect([refNamespace(aCanary(), { name: 't' }), refNamespace(aCanary(), { name: 't', namespace: '' }), refNamespace(aCanary(), { name: 't', namespace: 'istio-system' })])
      .toEqual(['test', 'test', 'istio-system']);
  });
});

describe('metric, webhook and alert defaults', () => {
  const metric = (m: Partial<CanaryMetric>): CanaryMetric => ({ name: 'request-success-rate', ...m });
  const webhook = (w: Partial<CanaryWebhook>): CanaryWebhook => ({ name: 'w', url: 'http://t/', ...w });

  it('defaults every metric interval to 1m, builtin or not (fixes Flagger quirk §12.8)', () => {
    expect([metricInterval(metric({})), metricInterval(metric({ name: 'latency', templateRef: { name: 'l' } })), metricInterval(metric({ interval: '30s' }))])
      .toEqual(['1m', '1m', '30s']);
  });

  it('fails a check without data unless onNoData is skip', () => {
    expect([metricOnNoData(metric({})), metricOnNoData(metric({ onNoData: 'skip' }))]).toEqual(['fail', 'skip']);
  });

  it.each<[Partial<CanaryWebhook>, string, number, number]>([
    [{}, 'rollout', 10_000, 0],
    [{ type: '', timeout: 's' }, 'rollout', 10_000, 0],
    [{ type: 'pre-rollout', timeout: '5s', retries: 3 }, 'pre-rollout', 5_000, 3],
    [{ type: 'confirm-promotion', timeout: '1m' }, 'confirm-promotion', 60_000, 0],
    [{ timeout: '10sfoo' }, 'rollout', 10_000, 0],
  ])('reads webhook %j as type %s, timeout %d ms, %d retries', (w, type, timeout, retries) => {
    const hook = webhook(w);
    expect([webhookType(hook), webhookTimeout(hook), webhookRetries(hook)]).toEqual([type, timeout, retries]);
  });

  it.each<[CanaryAlert['severity'], string]>([[undefined, 'info'], ['', 'info'], ['warn', 'warn'], ['error', 'error']])(
    'reads alert severity %j as %s (fixes Flagger quirk §12.10)',
    (severity, expected) => {
      expect(alertSeverity({ name: 'a', providerRef: { name: 'p' }, ...(severity === undefined ? {} : { severity }) })).toBe(expected);
    },
  );

  it('defaults the cookie Max-Age to one day, also when it is 0', () => {
    expect([cookieMaxAge({ cookieName: 'c' }), cookieMaxAge({ cookieName: 'c', maxAge: 0 }), cookieMaxAge({ cookieName: 'c', maxAge: 60 })]).toEqual([86_400, 86_400, 60]);
  });

  it('defaults the alert provider channel to general and the user name to flagger', () => {
    expect([alertProviderChannel({ type: 'slack' }), alertProviderUsername({ type: 'slack' })]).toEqual(['general', 'flagger']);
    expect([alertProviderChannel({ type: 'slack', channel: 'ops' }), alertProviderUsername({ type: 'slack', username: 'bot' })]).toEqual(['ops', 'bot']);
  });
});

describe('values of stored objects above the admission bounds are clamped where they are used', () => {
  const webhook = (w: Partial<CanaryWebhook>): CanaryWebhook => ({ name: 'w', url: 'http://t/', ...w });

  it.each([
    ['1440m', 86_400_000],
    ['1441m', 86_400_000],
    // 2^31 ms is past what setTimeout holds: it would fire after 1 ms and run the ladder in seconds.
    ['35792m', 86_400_000],
    ['99999999999999999s', 86_400_000],
  ])('runs an analysis interval of %s every %d ms at most', (interval, ms) => {
    expect(analysisInterval(aCanary({ interval }))).toBe(ms);
  });

  it('waits at most 30m for one webhook attempt and retries at most 10 times', () => {
    const hook = webhook({ timeout: '600m', retries: 1_000_000 });
    expect([webhookTimeout(hook), webhookRetries(hook)]).toEqual([1_800_000, 10]);
    expect(webhookRetries(webhook({ retries: -5 }))).toBe(0);
  });

  it('queries at most 24h back, holds a deadline of at most 7 days and a cookie of at most 400 days', () => {
    expect(metricInterval({ name: 'request-success-rate', interval: '2000m' })).toBe('24h');
    expect(progressDeadlineSeconds(aCanary({}, { progressDeadlineSeconds: 2_000_000_000 }))).toBe(604_800);
    expect(cookieMaxAge({ cookieName: 'c', maxAge: 2_000_000_000 })).toBe(34_560_000);
  });
});
