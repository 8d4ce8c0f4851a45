import { describe, it } from 'vitest';
import { phaseMachineProperties } from '../../test/properties/phase-machine.js';

// A short sample of each property; `npm run bench:reliability` runs the long form.
describe('phase machine (properties)', () => {
  it.each(phaseMachineProperties)('%s', (_name, check) => check(500));
});
