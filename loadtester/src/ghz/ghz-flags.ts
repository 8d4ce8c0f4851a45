/**
 * ghz's command-line flags, read with the rules of kingpin (the parser ghz uses): `--name value`,
 * `--name=value`, `-n value` or `-n10` for the flags with a short name, `--insecure` / `--no-insecure` for
 * switches, and the address may stand anywhere between the flags. Single-dash long names (`-insecure`,
 * `-proto=x.proto`, the spelling of ghz before 0.40) are read as long names too.
 */
import { parseGoDuration } from '../hey/go-duration.js';

/** How a flag's value is read: a whole number ≥ 0, a Go duration, text, or a switch. */
type FlagKind = 'uint' | 'duration' | 'string' | 'bool';

/** The flags the built-in generator runs, by long name, with their short names. */
const supported: Readonly<Record<string, { kind: FlagKind; short?: string }>> = {
  call: { kind: 'string' },
  proto: { kind: 'string' },
  protoset: { kind: 'string' },
  'import-paths': { kind: 'string', short: 'i' },
  insecure: { kind: 'bool' },
  skipTLS: { kind: 'bool' },
  authority: { kind: 'string' },
  rps: { kind: 'uint', short: 'r' },
  // parity: ghz up to 0.64 had -q/--qps, a rate per worker (runner/worker.go ticks in every worker); 0.70
  // replaced it with -r/--rps, a total. Flagger's documented examples still use -q, which the ghz 0.120 of
  // Flagger's load tester image refuses as an unknown flag.
  qps: { kind: 'uint', short: 'q' },
  concurrency: { kind: 'uint', short: 'c' },
  total: { kind: 'uint', short: 'n' },
  timeout: { kind: 'duration', short: 't' },
  duration: { kind: 'duration', short: 'z' },
  'max-duration': { kind: 'duration', short: 'x' },
  data: { kind: 'string', short: 'd' },
  metadata: { kind: 'string', short: 'm' },
  connections: { kind: 'uint' },
  cpus: { kind: 'uint' },
};

/** Why ghz flags that this generator does not run are refused (each refusal names the flag). */
const refusals: Readonly<Record<string, string>> = {
  config: 'settings are read from the command line only',
  cacert: 'custom CAs and client certificates are not supported: TLS uses the system CAs (or --skipTLS)',
  cert: 'custom CAs and client certificates are not supported: TLS uses the system CAs (or --skipTLS)',
  key: 'custom CAs and client certificates are not supported: TLS uses the system CAs (or --skipTLS)',
  cname: 'custom CAs and client certificates are not supported: TLS uses the system CAs (or --skipTLS)',
  'data-file': 'request data is read from -d only (no files)',
  binary: 'request data is read from -d only (no files)',
  'binary-file': 'request data is read from -d only (no files)',
  'metadata-file': 'metadata is read from -m only (no files)',
  output: 'results are returned as JSON and exported as Prometheus metrics',
  format: 'results are returned as JSON and exported as Prometheus metrics',
  'reflect-metadata': 'server reflection is not supported: give --proto or --protoset, or call grpc.health.v1.Health/Check',
};

/** ghz's short names of flags it has and this generator refuses (`-D`, `-o`, …). */
const refusedShort: Readonly<Record<string, string>> = { D: 'data-file', b: 'binary', B: 'binary-file', M: 'metadata-file', o: 'output', O: 'format', e: 'enable-compression', h: 'help', v: 'version' };

const shortNames = new Map(Object.entries(supported).flatMap(([long, { short }]) => (short === undefined ? [] : [[short, long] as const])));

/** The flags this generator runs, as `-n/--total`, for messages. */
export const supportedFlagList = Object.entries(supported)
  .map(([long, { short }]) => (short === undefined ? `--${long}` : `-${short}/--${long}`))
  .join(' ');

/** Flag values as given, by long name; numbers parsed, durations in milliseconds. */
export interface GhzFlags {
  numbers: Map<string, number>;
  strings: Map<string, string>;
  bools: Map<string, boolean>;
  positional: string[];
}

/** The flags that were read, or why they could not be. */
export type GhzFlagsResult = { ok: true; flags: GhzFlags } | { ok: false; error: string };

/** Reads ghz's flags from `args` (the words after `ghz`); everything not a flag is positional. */
export function readGhzFlags(args: readonly string[]): GhzFlagsResult {
  const flags: GhzFlags = { numbers: new Map(), strings: new Map(), bools: new Map(), positional: [] };
  let i = 0;
  while (i < args.length) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      flags.positional.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      flags.positional.push(arg);
      i++;
      continue;
    }
    const step = readOne(args, i, flags);
    if (typeof step === 'string') return { ok: false, error: step };
    i += step;
  }
  return { ok: true, flags };
}

/** A flag word split into its long name and the value attached to it (`--total=10`, `-n10`), if any. */
interface Word {
  long: string;
  attached: string | undefined;
}

function splitWord(arg: string): Word | string {
  const long = longWord(arg);
  if (long !== undefined) return long;
  if (arg.startsWith('--')) return unknownFlag(arg.split('=')[0] ?? arg);
  const short = arg.slice(1, 2);
  const name = shortNames.get(short) ?? (Object.hasOwn(refusedShort, short) ? refusedShort[short] : undefined);
  if (name === undefined) return unknownFlag(`-${short}`);
  const rest = arg.slice(2);
  return { long: name, attached: rest === '' ? undefined : rest.replace(/^=/, '') };
}

/** `--total=10`, `--insecure`, or a single-dash long name (`-insecure`); `undefined` for anything else. */
function longWord(arg: string): Word | undefined {
  const match = /^--?([A-Za-z][\w-]*)(?:=(.*))?$/s.exec(arg);
  const name = match?.[1] ?? '';
  if (match === null || (!arg.startsWith('--') && name.length === 1) || !isLongName(name)) return undefined;
  return { long: name, attached: match[2] };
}

function isLongName(name: string): boolean {
  const negated = /^no-(.+)$/.exec(name)?.[1];
  return Object.hasOwn(supported, name) || Object.hasOwn(refusals, name) || ghzOnlyFlags.has(name) || (negated !== undefined && specOf(negated)?.kind === 'bool');
}

/** The flag's spec; own keys only, so `--constructor` is not mistaken for a flag. */
function specOf(long: string): { kind: FlagKind } | undefined {
  return Object.hasOwn(supported, long) ? supported[long] : undefined;
}

/** Reads the flag at `args[i]`; returns how many words it used, or the error message. */
function readOne(args: readonly string[], i: number, flags: GhzFlags): number | string {
  const word = splitWord(args[i] ?? '');
  if (typeof word === 'string') return word;
  if (readNegated(word, flags)) return 1;
  const spec = specOf(word.long);
  if (spec === undefined) return refused(word.long);
  if (spec.kind === 'bool') return readBool(word.long, word.attached, flags);
  const value = word.attached ?? args[i + 1];
  if (value === undefined) return `flag --${word.long} needs a value`;
  const error = store(spec.kind, word.long, value, flags);
  return error ?? (word.attached === undefined ? 2 : 1);
}

/** kingpin's `--no-<switch>`: true when `word` turned a switch off. */
function readNegated(word: Word, flags: GhzFlags): boolean {
  const negated = /^no-(.+)$/.exec(word.long)?.[1];
  if (negated === undefined || specOf(negated)?.kind !== 'bool' || word.attached !== undefined) return false;
  flags.bools.set(negated, false);
  return true;
}

function readBool(name: string, value: string | undefined, flags: GhzFlags): number | string {
  if (value === undefined || value === 'true') flags.bools.set(name, true);
  else if (value === 'false') flags.bools.set(name, false);
  else return `invalid value "${value}" for --${name} (a switch: --${name} or --no-${name})`;
  return 1;
}

function store(kind: Exclude<FlagKind, 'bool'>, name: string, value: string, flags: GhzFlags): string | undefined {
  switch (kind) {
    case 'string':
      flags.strings.set(name, value);
      return undefined;
    case 'uint':
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) return `invalid whole number "${value}" for --${name}`;
      flags.numbers.set(name, Number(value));
      return undefined;
    case 'duration': {
      const ms = parseGoDuration(value);
      if (ms === undefined) return `invalid duration "${value}" for --${name} (examples: 30s, 1m, 1m30s)`;
      flags.numbers.set(name, ms);
      return undefined;
    }
  }
}

/** ghz flags without a specific reason to refuse them: schedules, streaming, output, tuning. */
const ghzOnlyFlags = new Set([
  'async', 'load-schedule', 'load-start', 'load-step', 'load-end', 'load-step-duration', 'load-max-duration',
  'concurrency-schedule', 'concurrency-start', 'concurrency-end', 'concurrency-step', 'concurrency-step-duration',
  'concurrency-max-duration', 'duration-stop', 'stream-interval', 'stream-call-duration', 'stream-call-count',
  'stream-dynamic-messages', 'skipFirst', 'count-errors', 'connect-timeout', 'keepalive', 'name', 'tags', 'debug',
  'enable-compression', 'lb-strategy', 'max-recv-message-size', 'max-send-message-size', 'disable-template-functions',
  'disable-template-data', 'help', 'version', 'host',
]);

function refused(long: string): string {
  const reason = (Object.hasOwn(refusals, long) ? refusals[long] : undefined) ?? 'the built-in ghz does not implement it';
  return `flag --${long} is not supported: ${reason} (supported: ${supportedFlagList})`;
}

function unknownFlag(flag: string): string {
  return `unknown flag ${flag} (supported ghz flags: ${supportedFlagList})`;
}
