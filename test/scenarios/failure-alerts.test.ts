import { afterEach, describe, expect, it } from 'vitest';
import { findCondition } from '../../src/api/conditions.js';
import { parseConfig } from '../../src/config.js';
import { Resources } from '../../src/kube/resources.js';
import { cacheLookups } from '../../src/notifications.js';
import { globalAlertTarget, subscribeAlerts, type AlertSubscription } from '../../src/notifier/alerts.js';
import { KubeApiError } from '../../src/ports/kube.js';
import { silentLogger } from '../../src/ports/logger.js';
import { aCanary, aDeployment } from '../fixtures/objects.js';
import { World } from './world.js';

const INTERVAL = 15_000;
const GATE = 'http://loadtester.test/gate/check';

/** A world whose global Slack notifier posts into `posts` (the text of each alert). */
class AlertedWorld extends World {
  readonly posts: string[] = [];
  readonly alerts: AlertSubscription;

  constructor() {
    super();
    const target = globalAlertTarget(parseConfig(['--slack-url=http://slack.test/hook', '--slack-channel=releases'], {})).target;
    this.alerts = subscribeAlerts(this.bus, {
      http: { post: (_url, body) => this.slackAnswer(body) }, logger: silentLogger, ...cacheLookups(this.caches), ...(target === undefined ? {} : { global: target }),
    });
  }

  private slackAnswer(body: unknown): Promise<{ status: number; body: string; headers: Record<string, string> }> {
    this.posts.push((body as { attachments: { text: string }[] }).attachments[0]?.text ?? '');
    return Promise.resolve({ status: 200, body: 'ok', headers: {} });
  }
}

interface Path {
  analysis?: Record<string, unknown>;
  spec?: Record<string, unknown>;
  /** Sets up the fault once the new revision is Progressing; the run must end Failed within `intervals`. */
  drive: (world: AlertedWorld) => Promise<void> | void;
  intervals: number;
  /** The one failure alert expected. */
  alert: RegExp;
  /** The reason of the Ready and Stalled conditions once Failed, and what Ready's message must name. */
  ready: [string, RegExp];
}

const stuckPrimary = async (world: World): Promise<void> => {
  const name = 'podinfo-primary';
  const d = await world.deployment(name);
  await world.kube.patch(Resources.deployments, { namespace: 'test', name }, {
    status: { observedGeneration: d?.metadata.generation, replicas: 3, updatedReplicas: 1, availableReplicas: 2, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] },
  }, { subresource: 'status' });
};

const paths: [string, Path][] = [
  ['failed checks reach the threshold', { drive: (w) => { w.metricValue = 50; }, intervals: 4, alert: /^Rolling back podinfo.test failed checks threshold reached 2$/,
    ready: ['CheckFailed', /threshold reached 2, last: metric request-success-rate: success rate 50.00% < 99%$/] }],
  ['the pre-rollout hook keeps failing', {
    analysis: { webhooks: [{ name: 'acceptance', type: 'pre-rollout', url: 'http://loadtester.test/pre' }] },
    drive: (w) => { w.hookStatus.set('http://loadtester.test/pre', 500); }, intervals: 4, alert: /^Rolling back podinfo.test failed checks threshold reached 2$/,
    ready: ['WebhookRefused', /last: pre-rollout webhook acceptance refused: .*500/],
  }],
  ['a rollback webhook signals', {
    analysis: { webhooks: [{ name: 'rollback', type: 'rollback', url: 'http://loadtester.test/rollback/check' }] },
    drive: () => undefined, intervals: 1, alert: /^Rolling back podinfo.test manual webhook invoked$/,
    ready: ['RollbackRequested', /rollback webhook rollback asked for a rollback$/],
  }],
  ['the canary is stuck past its progress deadline', {
    drive: async (w) => {
      await w.kube.patch(Resources.deployments, { namespace: 'test', name: 'podinfo' }, {
        status: { conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] },
      }, { subresource: 'status' });
    },
    intervals: 1, alert: /^Rolling back podinfo.test progress deadline exceeded: deployment "podinfo" exceeded its progress deadline$/,
    ready: ['ProgressDeadlineExceeded', /progress deadline exceeded/],
  }],
  ['the primary gets stuck during promotion', {
    analysis: { stepWeight: 50, maxWeight: 50 }, drive: () => undefined, intervals: 5, alert: /^Promotion failed, primary not ready: deployment "podinfo-primary" exceeded/,
    ready: ['ProgressDeadlineExceeded', /primary not ready/],
  }],
  ['the primary does not roll out within the progress deadline', {
    analysis: { stepWeight: 50, maxWeight: 50 }, drive: () => undefined, intervals: 9, alert: /^Promotion failed, primary not rolled out within progressDeadlineSeconds \(60s\)/,
    ready: ['ProgressDeadlineExceeded', /progressDeadlineSeconds \(60s\)/],
  }],
  ['confirm-promotion stays closed past the approval deadline', {
    analysis: { stepWeight: 50, maxWeight: 50, webhooks: [{ name: 'approve', type: 'confirm-promotion', url: GATE }] }, spec: { approvalDeadlineSeconds: 60 },
    drive: (w) => { w.hookStatus.set(GATE, 403); }, intervals: 8, alert: /^Rolling back podinfo.test confirm-promotion approval not given within approvalDeadlineSeconds \(60s\)$/,
    ready: ['ApprovalDeadlineExceeded', /confirm-promotion approval not given/],
  }],
  ['confirm-traffic-increase stays closed past the approval deadline', {
    analysis: { stepWeight: 10, webhooks: [{ name: 'more', type: 'confirm-traffic-increase', url: GATE }] }, spec: { approvalDeadlineSeconds: 60 },
    drive: (w) => { w.hookStatus.set(GATE, 403); }, intervals: 7, alert: /^Rolling back podinfo.test confirm-traffic-increase approval not given/,
    ready: ['ApprovalDeadlineExceeded', /confirm-traffic-increase approval not given/],
  }],
  ['the route write fails once while rolling back', {
    drive: (w) => { w.metricValue = 50; }, intervals: 5, alert: /^Rolling back podinfo.test failed checks threshold reached 2$/,
    ready: ['CheckFailed', /last: metric request-success-rate/],
  }],
];

async function progressing(world: AlertedWorld, path: Path): Promise<void> {
  await world.create('deployment', aDeployment({ replicas: 2 }));
  const canary = aCanary({ provider: 'istio' });
  Object.assign(canary.spec as Record<string, unknown>, {
    analysis: { interval: '15s', threshold: 2, stepWeight: 10, metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' }], ...path.analysis },
    ...path.spec,
  });
  await world.create('canary', canary);
  await world.makeReady('podinfo-primary');
  await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.1');
  await world.makeReady('podinfo');
}

// Ticks until Failed (the primary plays along until the promotion starts, then, for the promotion paths, stalls).
async function runToFailure(world: AlertedWorld, name: string, path: Path): Promise<void> {
  let routeWriteFailed = false;
  for (let i = 0; i < path.intervals; i++) {
    if (name.includes('rolling back') && !routeWriteFailed && (await world.canaryStatus()).failedChecks === 2) {
      world.kube.failNext.push(new KubeApiError(500, 'InternalError', 'etcd leader changed'));
      routeWriteFailed = true;
    }
    if (name === 'a rollback webhook signals') world.hookStatus.set('http://loadtester.test/rollback/check', 200);
    await world.advance(INTERVAL);
    await world.makeReady('podinfo');
    const promoting = (await world.canaryStatus()).phase === 'Promoting';
    if (promoting && name.includes('primary gets stuck')) await stuckPrimary(world);
    else if (!promoting || !name.includes('primary')) await world.makeReady('podinfo-primary');
  }
}

describe('every path that ends a run in Failed sends exactly one alert', () => {
  let world: AlertedWorld;
  afterEach(async () => {
    world.alerts.stop();
    await world.stop();
  });

  it.each(paths)('when %s', async (name, path) => {
    world = await new AlertedWorld().start();
    await progressing(world, path);
    await path.drive(world);
    await runToFailure(world, name, path);
    expect((await world.canaryStatus()).phase).toBe('Failed');
    await world.advance(INTERVAL * 4);
    await world.alerts.idle();
    const failureAlerts = world.posts.filter((text) => /^(Rolling back|Promotion failed|Canary .* failed|Initialization of)/.test(text));
    expect(failureAlerts).toHaveLength(1);
    expect(failureAlerts[0]).toMatch(path.alert);
    // kstatus: the conditions say why, and keep saying it while the Canary rests in Failed.
    const conditions = (await world.canaryStatus()).conditions ?? [];
    const [reason, message] = path.ready;
    expect(findCondition(conditions, 'Ready')).toMatchObject({ status: 'False', reason, message: expect.stringMatching(message) });
    expect(findCondition(conditions, 'Stalled')).toMatchObject({ status: 'True', reason });
    expect(findCondition(conditions, 'Reconciling')).toMatchObject({ status: 'False', reason: 'Failed' });
  });

  it('when confirm-rollout keeps a new revision Waiting past the approval deadline', async () => {
    world = await new AlertedWorld().start();
    world.hookStatus.set(GATE, 403);
    await world.create('deployment', aDeployment());
    const canary = aCanary({ provider: 'istio' });
    Object.assign(canary.spec as Record<string, unknown>, {
      approvalDeadlineSeconds: 60, analysis: { interval: '15s', threshold: 2, stepWeight: 10, webhooks: [{ name: 'gate', type: 'confirm-rollout', url: GATE }] },
    });
    await world.create('canary', canary);
    await world.makeReady('podinfo-primary');
    await world.setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.1');
    await world.advance(INTERVAL * 10);
    await world.alerts.idle();
    expect((await world.canaryStatus()).phase).toBe('Failed');
    expect(world.posts.filter((text) => text.includes('failed'))).toEqual([
      'Canary podinfo.test failed, confirm-rollout approval not given within approvalDeadlineSeconds (60s); the new revision was not started',
    ]);
  });

  it('when the primary never becomes ready during initialization', async () => {
    world = await new AlertedWorld().start();
    await world.create('deployment', aDeployment());
    await world.create('canary', aCanary({ provider: 'istio' }));
    await world.advance(INTERVAL * 10);
    await world.alerts.idle();
    expect((await world.canaryStatus()).phase).toBe('Failed');
    expect(world.posts).toHaveLength(1);
    expect(world.posts[0]).toMatch(/^Initialization of podinfo.test failed, primary not ready within progressDeadlineSeconds \(60s\)/);
  });
});
