/** Milliseconds per unit of Go's `time.ParseDuration`. */
const unitMs: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const whole = /^(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h)(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))*$/;
const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g;

/**
 * Parses a Go duration (`time.ParseDuration`), as hey's `-z` and Flagger's `-timeout` take, into
 * milliseconds; `undefined` when it is not one. Like Go, a bare `0` is zero and any other number needs a
 * unit. Worked example: `1m30s` ⇒ 60 000 + 30 000 = 90 000 ms; `1.5h` ⇒ 5 400 000 ms.
 */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (!whole.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(part)) {
    const [, amount, unit] = match;
    total += Number(amount) * (unitMs[unit ?? ''] ?? Number.NaN);
  }
  return Number.isFinite(total) ? total : undefined;
}
