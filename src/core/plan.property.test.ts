import { describe, it } from 'vitest';
import { planProperties } from '../../test/properties/plan.js';

// A short sample of each property; `npm run bench:reliability` runs the long form.
describe('release plan (properties)', () => {
  it.each(planProperties)('%s', (_name, check) => check(200));
});
