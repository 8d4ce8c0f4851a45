import { afterEach, describe, expect, it } from 'vitest';
import { Resources } from '../../../../src/kube/resources.js';
import { reconcileRouting } from '../../../../src/reconciler/steps/routing.js';
import { verifyTraffic } from '../../../../src/reconciler/steps/verification.js';
import { albIngress } from '../../../scenarios/alb-world.js';
import { aDeployment } from '../../../fixtures/objects.js';
import { canaryWith, TickHarness } from '../tick-harness.js';

const ingressRef = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'podinfo' };

describe('verifyTraffic', () => {
  let h: TickHarness;
  afterEach(() => h.stop());

  it('answers applied at once where the provider does not verify (istio), clearing a pending split', async () => {
    h = await new TickHarness().start();
    await h.create(Resources.deployments, aDeployment());
    await h.createCanary(canaryWith({}, { provider: 'istio' }));
    const { ctx } = await h.loadedContext();
    ctx.status.trafficPending = { weights: '90/10', since: ctx.timestamp, reason: 'left over' };
    expect(await verifyTraffic(ctx)).toBe('applied');
    expect(ctx.status.trafficPending).toBeUndefined();
  });

  describe('on an ALB whose weights AWS cannot confirm (no ELBv2 client)', () => {
    async function albContext(): Promise<Awaited<ReturnType<TickHarness['loadedContext']>>['ctx']> {
      h = await new TickHarness([], { elbv2: false }).start();
      await h.create(Resources.deployments, aDeployment());
      await h.create(Resources.ingresses, albIngress());
      await h.createCanary(canaryWith({ ingressRef }, { provider: 'alb' }));
      const { ctx } = await h.loadedContext();
      await reconcileRouting(ctx);
      return ctx;
    }

    it('waits, naming the provider and the split in status and in the Ready report', async () => {
      const ctx = await albContext();
      expect(await verifyTraffic(ctx)).toBe('pending');
      expect(ctx.status.trafficPending).toMatchObject({ weights: '100/0', since: ctx.timestamp });
      expect(ctx.report).toMatchObject({ reason: 'TrafficPending', message: expect.stringContaining('the ALB has not applied the weights yet') });
    });

    it('asks the provider once per tick', async () => {
      const ctx = await albContext();
      await verifyTraffic(ctx);
      delete ctx.status.trafficPending;
      expect(await verifyTraffic(ctx)).toBe('pending');
      expect(ctx.status.trafficPending).toBeUndefined();
    });

    it('is overdue once the split waited past the progress deadline (60 s)', async () => {
      const ctx = await albContext();
      ctx.status.trafficPending = { weights: '100/0', since: new Date(ctx.now - 61_000).toISOString(), reason: 'earlier' };
      expect(await verifyTraffic(ctx)).toBe('overdue');
      expect(ctx.report).toMatchObject({ reason: 'TrafficNotApplied' });
    });
  });
});
