import { describe, it } from 'vitest';
import { revisionProperties } from '../../test/properties/revision.js';

// A short sample of each property; `npm run bench:reliability` runs the long form.
describe('revision hashing (properties)', () => {
  it.each(revisionProperties)('%s', (_name, check) => check(200));
});
