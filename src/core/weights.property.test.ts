import { describe, it } from 'vitest';
import { weightProperties } from '../../test/properties/weights.js';

// A short sample of each property; `npm run bench:reliability` runs the long form.
describe('weight arithmetic (properties)', () => {
  it.each(weightProperties)('%s', (_name, check) => check(300));
});
