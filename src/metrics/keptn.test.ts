import { describe, expect, it } from 'vitest';
import { FakeKube } from '../../test/fakes/fake-kube.js';
import { Resources, type KeptnObject } from '../kube/resources.js';
import { NoDataError, QueryError } from './errors.js';
import { KeptnProvider, parseKeptnQuery } from './keptn.js';

describe('parseKeptnQuery', () => {
  it.each([
    ['keptnmetric/my-namespace/response-time/2m/reporter=destination', { kind: 'keptnmetric', namespace: 'my-namespace', name: 'response-time' }],
    ['KeptnMetrics/Test/Latency', { kind: 'keptnmetric', namespace: 'test', name: 'latency' }],
    ['analysis/test/slo', { kind: 'analysis', namespace: 'test', name: 'slo', timeframe: '1m', args: {} }],
    ['analyses/test/slo/5M/service=podinfo;env=Prod;broken;a=b=c', { kind: 'analysis', namespace: 'test', name: 'slo', timeframe: '5m', args: { service: 'podinfo', env: 'Prod' } }],
  ])('reads %s', (query, parsed) => {
    expect(parseKeptnQuery(query)).toEqual(parsed);
  });

  it.each([
    ['keptnmetric/test', 'a keptn query must be <keptnmetric|analysis>/<namespace>/<resourceName>/<timeframe>/<arguments>, got "keptnmetric/test"'],
    ['prometheus/test/x', 'unexpected kind "prometheus" in keptn query "prometheus/test/x": must be one of keptnmetric, analysis'],
  ])('refuses %j, saying what the format is', (query, message) => {
    expect(() => parseKeptnQuery(query)).toThrow(new QueryError(message, false));
  });
});

function keptnMetric(): KeptnObject {
  return {
    apiVersion: 'metrics.keptn.sh/v1beta1', kind: 'KeptnMetric', metadata: { name: 'response-time', namespace: 'test' },
    spec: { provider: { name: 'prom' }, query: 'x', fetchIntervalSeconds: 10 },
  };
}

async function withMetricStatus(kube: FakeKube, status: Record<string, unknown> | undefined): Promise<void> {
  await kube.create(Resources.keptnMetrics, keptnMetric());
  if (status !== undefined) await kube.patch(Resources.keptnMetrics, { namespace: 'test', name: 'response-time' }, { status }, { subresource: 'status' });
}

describe('KeptnProvider, KeptnMetric', () => {
  const sleep = (): Promise<void> => Promise.resolve();

  it('reads status.value', async () => {
    const kube = new FakeKube();
    await withMetricStatus(kube, { value: '0.25', rawValue: 'MC4yNQ==' });
    expect(await new KeptnProvider({ kube, sleep }).query('keptnmetric/test/response-time/2m/reporter=destination')).toBe(0.25);
  });

  it.each([
    ['no status yet', undefined, 'KeptnMetric test/response-time has no value yet'],
    ['an error and no value', { errMsg: 'prometheus unreachable' }, 'KeptnMetric test/response-time has no value yet: prometheus unreachable'],
    ['NaN', { value: 'NaN' }, 'KeptnMetric test/response-time has the value NaN'],
    ['+Inf', { value: '+Inf' }, 'KeptnMetric test/response-time has the value +Inf'],
  ])('is no data, never a value, with %s', async (_title, status, reason) => {
    const kube = new FakeKube();
    await withMetricStatus(kube, status);
    await expect(new KeptnProvider({ kube, sleep }).query('keptnmetric/test/response-time')).rejects.toThrow(new NoDataError(reason));
  });

  it('is an error for a KeptnMetric that does not exist', async () => {
    await expect(new KeptnProvider({ kube: new FakeKube(), sleep }).query('keptnmetric/test/response-time')).rejects.toThrow('KeptnMetric test/response-time not found');
  });
});

describe('KeptnProvider, Analysis', () => {
  /** Plays Keptn's metrics operator: on the `after`-th poll it completes the Analysis with `pass`. */
  function keptnOperator(kube: FakeKube, after: number, pass: boolean | undefined): { sleep: () => Promise<void>; slept: number } {
    const state = { slept: 0, sleep: async (): Promise<void> => {
      state.slept++;
      if (state.slept !== after) return;
      const [analysis] = (await kube.list(Resources.keptnAnalyses, 'test')).items;
      await kube.patch(Resources.keptnAnalyses, { namespace: 'test', name: analysis?.metadata.name ?? '' },
        { status: { state: 'Completed', ...(pass === undefined ? {} : { pass }), timeframe: { from: 'a', to: 'b' } } }, { subresource: 'status' });
    } };
    return state;
  }

  it('creates an Analysis of the AnalysisDefinition, answers 1 when it passed, and deletes it', async () => {
    const kube = new FakeKube();
    const operator = keptnOperator(kube, 2, true);
    const provider = new KeptnProvider({ kube, sleep: operator.sleep, suffix: () => 'a1b2c3' });
    expect(await provider.query('analysis/test/slo/5m/service=podinfo')).toBe(1);
    expect(kube.writes.filter((w) => w.kind === 'Analysis')).toEqual([
      { verb: 'create', kind: 'Analysis', name: 'slo-a1b2c3' }, { verb: 'status', kind: 'Analysis', name: 'slo-a1b2c3' },
      { verb: 'delete', kind: 'Analysis', name: 'slo-a1b2c3' },
    ]);
    expect(operator.slept).toBe(2);
  });

  it('sends the AnalysisDefinition, the timeframe and the arguments', async () => {
    const kube = new FakeKube();
    const created: KeptnObject[] = [];
    kube.writeFault = (call) => {
      if (call.verb === 'create') created.push(call.body as KeptnObject);
      return undefined;
    };
    await new KeptnProvider({ kube, sleep: keptnOperator(kube, 1, false).sleep, suffix: () => 'ffffff' }).query('analysis/test/slo/5m/service=podinfo;env=Prod');
    expect(created[0]?.spec).toEqual({ analysisDefinition: { name: 'slo' }, timeframe: { recent: '5m' }, args: { service: 'podinfo', env: 'Prod' } });
  });

  it('answers 0 when the Analysis failed', async () => {
    const kube = new FakeKube();
    expect(await new KeptnProvider({ kube, sleep: keptnOperator(kube, 1, false).sleep }).query('analysis/test/slo')).toBe(0);
  });

  it('gives up after ten polls of an Analysis that never completes, and still deletes it', async () => {
    const kube = new FakeKube();
    const operator = keptnOperator(kube, 99, true);
    await expect(new KeptnProvider({ kube, sleep: operator.sleep, suffix: () => '000000' }).query('analysis/test/slo'))
      .rejects.toThrow(new QueryError('Keptn Analysis of test/slo (slo-000000) did not complete within 10s'));
    expect(operator.slept).toBe(10);
    expect((await kube.list(Resources.keptnAnalyses, 'test')).items).toEqual([]);
  });

  it('keeps polling while the Analysis is Completed without a verdict', async () => {
    const kube = new FakeKube();
    await expect(new KeptnProvider({ kube, sleep: keptnOperator(kube, 1, undefined).sleep }).query('analysis/test/slo')).rejects.toThrow('did not complete within 10s');
  });
});
