import { describe, expect, it } from 'vitest';
import type { CanaryAnalysis } from '../api/canary-analysis.js';
import { aCanary } from '../../test/fixtures/webhooks.js';
import { alertFields, clusterFields, trafficRouting } from './alert-fields.js';

const canaryWith = (analysis: Partial<CanaryAnalysis>) => aCanary({ analysis: { iterations: undefined, ...analysis } });

describe('alertFields', () => {
  it('lists the cluster, target, threshold, deadline and routing of a run, in Flagger\'s order', () => {
    const canary = canaryWith({ stepWeight: 10, maxWeight: 50, threshold: 5 });

    expect(alertFields(canary, { clusterName: 'prod-eu', details: true })).toEqual([
      { title: 'Cluster', value: 'prod-eu' },
      { title: 'Target', value: 'Deployment/podinfo.test' },
      { title: 'Failed checks threshold', value: '5' },
      { title: 'Progress deadline', value: '60s' },
      { title: 'Traffic routing', value: 'Weight step: 10 max: 50' },
    ]);
  });

  it.each([
    ['only the cluster without details', { clusterName: 'prod-eu', details: false }, [{ title: 'Cluster', value: 'prod-eu' }]],
    ['nothing without details or a cluster name', { clusterName: '', details: false }, []],
  ])('gives %s', (_case, opts, fields) => {
    expect(alertFields(aCanary(), opts)).toEqual(fields);
  });

  it('reads an unset threshold as 1 and an unset deadline as 600s', () => {
    const canary = canaryWith({ threshold: 0, stepWeight: 5 });
    delete canary.spec.progressDeadlineSeconds;

    expect(alertFields(canary, { details: true }).slice(1, 3)).toEqual([
      { title: 'Failed checks threshold', value: '1' },
      { title: 'Progress deadline', value: '600s' },
    ]);
  });
});

describe('trafficRouting', () => {
  it.each([
    ['A/B Testing for iterations with match', { iterations: 10, match: [{ headers: { 'x-canary': { exact: 'insider' } } }] }, 'A/B Testing'],
    ['Blue/Green for iterations alone', { iterations: 10 }, 'Blue/Green'],
    ['the step and max weight', { stepWeight: 20, maxWeight: 60 }, 'Weight step: 20 max: 60'],
    ['max 100 for a step without maxWeight (Flagger prints 0)', { stepWeight: 20 }, 'Weight step: 20 max: 100'],
    ['the weight ladder and its last rung', { stepWeights: [1, 10, 50, 80] }, 'Weight steps: 1,10,50,80 max: 80'],
    ['nothing for a canary strategy without steps', {}, undefined],
  ])('gives %s', (_case, analysis, routing) => {
    expect(trafficRouting(canaryWith(analysis))).toBe(routing);
  });
});

describe('clusterFields', () => {
  it.each([[undefined, []], ['', []], ['prod', [{ title: 'Cluster', value: 'prod' }]]])('gives %j for %j', (name, fields) => {
    expect(clusterFields(name)).toEqual(fields);
  });
});
