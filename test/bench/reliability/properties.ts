// Long form of the property-based tests (src/core/*.property.test.ts run a short sample in CI): every
// property of the weight arithmetic, revision hashing, the phase machine and the release plan with many random cases.
import { phaseMachineProperties } from '../../properties/phase-machine.js';
import { planProperties } from '../../properties/plan.js';
import { revisionProperties } from '../../properties/revision.js';
import { weightProperties, type PropertyCheck } from '../../properties/weights.js';

export const name = 'properties';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 20_000);

/** Runs each property RUNS times (throws with the counterexample on the first failure); returns ms per property. */
export function run(): Promise<Record<string, unknown>> {
  const table: readonly PropertyCheck[] = [...weightProperties, ...revisionProperties, ...phaseMachineProperties, ...planProperties];
  const milliseconds: Record<string, number> = {};
  for (const [property, check] of table) {
    const started = performance.now();
    check(RUNS);
    milliseconds[property] = Math.round(performance.now() - started);
  }
  return Promise.resolve({ runsPerProperty: RUNS, properties: table.length, milliseconds });
}
