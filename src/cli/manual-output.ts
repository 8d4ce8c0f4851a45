import { Option } from 'commander';
import { stringify } from 'yaml';

/** The `-o` formats of the plugin; `undefined` is the human-readable default. */
export type OutputFormat = 'json' | 'yaml' | undefined;

/** kubectl's `-o, --output json|yaml`. */
export function outputOption(): Option {
  return new Option('-o, --output <format>', 'output format').choices(['json', 'yaml']);
}

/** A value as JSON (indented, as kubectl prints it) or YAML; `human` gives the default form. */
export function formatOutput(value: unknown, format: OutputFormat, human: () => string): string {
  if (format === 'json') return `${JSON.stringify(value, null, 2)}\n`;
  if (format === 'yaml') return stringify(value);
  return `${human()}\n`;
}

/** Where a command writes: stdout for results, stderr for errors and refusals (injected in tests). */
export interface Streams {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** The process's own streams. */
export const processStreams: Streams = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** Prints an error the way kubectl does (`error: …` on stderr) and sets exit code 1. */
export function failCommand(error: unknown, streams: Streams = processStreams): void {
  streams.err(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
