/**
 * A whole number of milliseconds written as Go's `time.Duration.String()` does, so that duration messages
 * read exactly like Flagger's ("request duration 1.5s > 500ms").
 *
 * Examples: 0 → `0s`; 250 → `250ms`; 1500 → `1.5s`; 61000 → `1m1s`; 3600000 → `1h0m0s`; -20 → `-20ms`.
 * Fractions of a millisecond are dropped first (1.9 → `1ms`), as the callers compare whole milliseconds.
 */
export function formatGoDuration(milliseconds: number): string {
  const ms = Math.trunc(milliseconds);
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${sign}${abs}ms`;
  const hours = Math.floor(abs / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  // x / 1000 for a whole x prints with at most three decimals and no trailing zeros: 1500 → "1.5".
  const seconds = `${(abs % 60_000) / 1000}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  return minutes > 0 ? `${sign}${minutes}m${seconds}` : `${sign}${seconds}`;
}
