/**
 * Output of the `kubectl-songbird` plugin, the way kubectl prints: aligned tables for people, `-o json` and
 * `-o yaml` for scripts, errors on stderr and exit code 1.
 */
import { stringify } from 'yaml';

/** The `-o` formats; `wide` adds columns to a table; `table` (no `-o`) is the form for people. */
export type OutputFormat = 'table' | OutputChoice;

/** What `-o` may name. */
export type OutputChoice = 'wide' | 'json' | 'yaml';

/** `-o` of the commands that print tables. */
export const TABLE_FORMATS: readonly OutputChoice[] = ['json', 'yaml', 'wide'];

/** `-o` of the commands that print one answer or document: data only. */
export const DATA_FORMATS: readonly OutputChoice[] = ['json', 'yaml'];

/** A failure the plugin reports with a message and exit code 1 (not found, invalid input, API errors). */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

/** Reads `-o` against the formats a command allows (json, yaml and wide by default); nothing means a table. */
export function parseOutputFormat(value: string | undefined, allowed: readonly OutputChoice[] = TABLE_FORMATS): OutputFormat {
  if (value === undefined || value === '') return 'table';
  const format = allowed.find((f) => f === value);
  if (format !== undefined) return format;
  throw new CliError(`unable to match a printer suitable for the output format "${value}", allowed formats are: ${allowed.join(',')}`);
}

/** A value as JSON (2-space indent, as kubectl) or YAML. */
export function formatData(value: unknown, format: 'json' | 'yaml'): string {
  return format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : stringify(value);
}

/** A value as `-o json|yaml` asks, else the line `human()` gives, for people. */
export function formatAnswer(value: unknown, format: OutputFormat, human: () => string): string {
  return format === 'json' || format === 'yaml' ? formatData(value, format) : `${human()}\n`;
}

/**
 * Rows as kubectl prints them: upper-case headers, columns padded to the widest cell plus three spaces.
 *
 * Example: [['NAME', 'PHASE'], ['podinfo', 'Progressing']] →
 * `NAME      PHASE\npodinfo   Progressing\n`.
 */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, cell.length); });
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + 3))).join('').trimEnd()).join('\n') + '\n';
}

/**
 * A duration in seconds with every unit that is not zero, for sums a reader adds up: 88285 → `1d31m25s`;
 * 600 → `10m`; 0 → `0s`.
 */
export function formatExactDuration(seconds: number): string {
  let rest = Math.max(0, Math.round(seconds));
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) parts.push(`${Math.floor(rest / size)}${unit}`);
    rest %= size;
  }
  return parts.length === 0 ? '0s' : parts.join('');
}

/**
 * A duration in seconds as kubectl shows ages: `45s`, `3m20s`, `2h5m`, `3d4h`.
 *
 * Examples: 45 → `45s`; 200 → `3m20s`; 7500 → `2h5m`; 273600 → `3d4h`; a negative value is shown as 0s.
 */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 === 0 ? '' : `${s % 60}s`}`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60) === 0 ? '' : `${Math.floor((s % 3600) / 60)}m`}`;
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3600) === 0 ? '' : `${Math.floor((s % 86_400) / 3600)}h`}`;
}

/** Where the plugin writes; tests pass their own. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** The process's stdout and stderr. */
export const processIo: Io = {
  out: (text) => { process.stdout.write(text); },
  err: (text) => { process.stderr.write(text); },
};

/**
 * Runs a command's action, the one error path of every command: an error is printed as kubectl prints one
 * (`error: …` on stderr) and the exit code is set (1, or the CliError's), so that commander's own handling of
 * `--help` and bad flags stays as it is. The action returns its exit code: 0 done, 1 refused or failed.
 */
export async function runAction(action: () => Promise<number | void>, io: Io = processIo): Promise<void> {
  try {
    const code = await action();
    if (typeof code === 'number' && code !== 0) process.exitCode = code;
  } catch (error) {
    io.err(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = error instanceof CliError ? error.exitCode : 1;
  }
}
