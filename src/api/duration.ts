/**
 * Go duration strings (`time.ParseDuration`), the format of `analysis.interval`, metric intervals and webhook
 * timeouts in Flagger manifests.
 */

/** Milliseconds per Go duration unit. */
const unitMs: Readonly<Record<string, number>> = {
  ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000,
};

const durationSyntax = /^[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const durationPart = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;

/**
 * Parses a Go duration string into milliseconds, or returns undefined when Go would return an error.
 *
 * Examples: `"15s"` → 15000; `"1m30s"` → 90000; `"1.5h"` → 5400000; `"300ms"` → 300; `"0"` → 0;
 * `"10"` (no unit), `"1d"`, `"10sfoo"` and `""` → undefined.
 */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0' || text === '+0' || text === '-0') return 0;
  if (!durationSyntax.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(durationPart)) {
    total += Number(amount) * (unitMs[unit ?? ''] ?? 0);
  }
  return text.startsWith('-') ? -total : total;
}
