// The load tester's HTTP API fuzzed with 10,000 malformed requests over loopback (fast-check generated:
// odd methods and paths, bad and oversized headers, truncated and mis-framed bodies, bad JSON, wrong types,
// huge and negative numbers in hey commands), 8 at a time, plus a few valid gate changes and load tests so
// the task and gate limits are under pressure. Throws when the server answers 5xx, refuses without a
// message, lets an unauthenticated request through, runs more tasks than its limit, or is not healthy and
// working afterwards. The unit tests run a 1000-request sample of the same generator.
import { fuzzLoadTester } from '../../../loadtester/test/support/fuzz-load-tester.js';

export const name = 'loadtester-fuzz';

export async function run(): Promise<Record<string, unknown>> {
  const seed = Number(process.env.LOADTESTER_FUZZ_SEED ?? 20_261_205);
  const report = await fuzzLoadTester({ requests: 10_000, concurrency: 8, seed });
  return { seed, ...report };
}
