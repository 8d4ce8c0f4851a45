import { defineConfig } from 'vitest/config';

// The tests that can kill mutants in the code `stryker.config.json` mutates: the pure layer's own unit and
// property tests and the scenario tests that drive the whole decision loop on in-memory fakes. No control
// plane: every mutant runs the tests that cover it, so these must stay fast.
export default defineConfig({
  test: {
    include: ['src/core/**/*.test.ts', 'src/routers/**/*.test.ts', 'src/metrics/**/*.test.ts', 'test/scenarios/**/*.test.ts'],
  },
});
