// Long forms of the bounded-inputs suites: many hung canaries against the tick slots, and every invalid
// Canary of the admission table served for a simulated hour without admission (as after a CRD upgrade).
import { CanaryResource } from '../../../src/reconciler/cluster-caches.js';
import { Scheduler, slowTickAfterMs } from '../../../src/reconciler/scheduler.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { FakeClock } from '../../fakes/fake-clock.js';
import { invalidObject, invalidSpecs } from '../../fixtures/invalid-specs.js';
import { aDeployment } from '../../fixtures/objects.js';
import { World } from '../../scenarios/world.js';

export const name = 'bounded-inputs';

const hour = 3_600_000;
const intervalMs = 15_000;

/**
 * 200 canaries whose ticks hang for 10 minutes (a webhook at its timeout) and 50 quick ones share the
 * default 16 slots for a simulated hour: every quick canary must get its ticks, each at most
 * `slowTickAfterMs` late after the first 10 minutes. The start-up figure (all 200 hung ticks falling due at
 * once, each holding a slot for the budget) is reported, not bounded.
 */
async function hungCanaries(): Promise<Record<string, number>> {
  const clock = new FakeClock(0);
  const due = new Map<string, number>();
  let maxLateMs = 0;
  let startupMaxLateMs = 0;
  let quickTicks = 0;
  const scheduler = new Scheduler({
    clock, logger: silentLogger, maxConcurrentTicks: 16,
    tick: async (key) => {
      if (key.startsWith('hung-')) return clock.sleep(600_000);
      quickTicks++;
      const lateMs = clock.now() - (due.get(key) ?? clock.now());
      if (clock.now() < 600_000) startupMaxLateMs = Math.max(startupMaxLateMs, lateMs);
      else maxLateMs = Math.max(maxLateMs, lateMs);
      due.set(key, clock.now() + intervalMs);
      return Promise.resolve();
    },
  });
  for (let i = 0; i < 200; i++) scheduler.ensure(`hung-${i}`, intervalMs);
  for (let i = 0; i < 50; i++) {
    due.set(`quick-${i}`, 0);
    scheduler.ensure(`quick-${i}`, intervalMs);
  }
  await clock.advance(hour);
  const stopped = scheduler.stopAll();
  await clock.advance(600_000);
  await stopped;
  // Each quick canary ticks at start and then at least every interval + the slot wait: 3600 / 17 ≈ 211 ticks.
  const minimumTicks = 50 * Math.floor(hour / (intervalMs + slowTickAfterMs));
  if (quickTicks < minimumTicks) throw new Error(`quick canaries ticked ${quickTicks} times, fewer than ${minimumTicks}`);
  if (maxLateMs > slowTickAfterMs) throw new Error(`a quick canary ticked ${maxLateMs} ms late (budget ${slowTickAfterMs} ms)`);
  return {
    hungCanaries: 200, quickCanaries: 50, slots: 16, quickTicks, minimumTicks, startupMaxLateMs, steadyMaxLateMs: maxLateMs,
    lateBudgetMs: slowTickAfterMs, steadyLateToBudgetRatio: maxLateMs / slowTickAfterMs,
  };
}

/** Every invalid Canary of the admission table for a simulated hour: the most status writes any one made. */
async function invalidForAnHour(): Promise<Record<string, number>> {
  const world = await new World().start();
  const rows = invalidSpecs.map((row, i) => ({ row, name: `invalid-${i}` })).filter(({ row }) => row.example === 'istio-canary.yaml');
  for (const { row, name: canaryName } of rows) {
    const canary = { ...invalidObject(row, canaryName), metadata: { name: canaryName, namespace: 'test' } };
    const target = canary.spec.targetRef as { name: string };
    if (target.name === 'podinfo') {
      target.name = canaryName;
      await world.create('deployment', aDeployment({ name: canaryName }));
    }
    await world.kube.create(CanaryResource, canary);
  }
  await world.advance(hour);
  const writes = rows.map(({ name: canaryName }) => world.kube.writes.filter((w) => w.kind === 'Canary' && w.name === canaryName).length);
  await world.stop();
  const maxWrites = Math.max(...writes);
  // A hot retry writes every interval: 240 times an hour.
  if (maxWrites > 10) throw new Error(`an invalid canary wrote its status ${maxWrites} times in an hour`);
  return { invalidCanaries: rows.length, maxStatusWritesPerCanaryPerHour: maxWrites, intervalsPerHour: hour / intervalMs };
}

export async function run(): Promise<Record<string, unknown>> {
  return { tickSlots: await hungCanaries(), invalidSpecs: await invalidForAnHour() };
}
