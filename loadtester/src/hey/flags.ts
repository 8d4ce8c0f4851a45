/**
 * hey's command-line flags, parsed with Go's `flag` package rules: `-name value`, `-name=value`, `--name`,
 * boolean flags take no value unless written `-name=true|false`, parsing stops at the first argument that is
 * not a flag (or after `--`).
 */
import { parseGoDuration } from './go-duration.js';

/** How a flag's value is read. */
type FlagKind = 'int' | 'float' | 'duration' | 'string' | 'repeat' | 'bool';

/** Every flag hey 0.1.4 knows (plus `-o` and `-h`, which are recognised only to be refused clearly). */
const flagKinds: Readonly<Record<string, FlagKind>> = {
  n: 'int',
  c: 'int',
  q: 'float',
  z: 'duration',
  t: 'int',
  cpus: 'int',
  m: 'string',
  A: 'string',
  d: 'string',
  D: 'string',
  T: 'string',
  a: 'string',
  x: 'string',
  U: 'string',
  o: 'string',
  h: 'string',
  host: 'string',
  H: 'repeat',
  h2: 'bool',
  'disable-compression': 'bool',
  'disable-keepalive': 'bool',
  'disable-redirects': 'bool',
};

/** Flag values as given; numbers already parsed, durations in milliseconds. */
export interface RawFlags {
  numbers: Map<string, number>;
  strings: Map<string, string>;
  headers: string[];
  bools: Set<string>;
  positional: string[];
}

/** The flags that were read, or why they could not be. */
export type FlagsResult = { ok: true; flags: RawFlags } | { ok: false; error: string };

/** Reads hey's flags from `args` (the words after `hey`). */
export function readFlags(args: readonly string[]): FlagsResult {
  const flags: RawFlags = { numbers: new Map(), strings: new Map(), headers: [], bools: new Set(), positional: [] };
  let i = 0;
  while (i < args.length) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      flags.positional.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      flags.positional.push(...args.slice(i));
      break;
    }
    const step = readOne(args, i, flags);
    if (typeof step === 'string') return { ok: false, error: step };
    i += step;
  }
  return { ok: true, flags };
}

/** Reads the flag at `args[i]`; returns how many words it used, or an error message. */
function readOne(args: readonly string[], i: number, flags: RawFlags): number | string {
  const arg = args[i] ?? '';
  const body = arg.replace(/^--?/, '');
  const eq = body.indexOf('=');
  const name = eq < 0 ? body : body.slice(0, eq);
  const kind = kindOf(name);
  if (kind === undefined) return `unknown flag -${name} (hey flags: ${Object.keys(flagKinds).map((f) => `-${f}`).join(' ')})`;
  if (kind === 'bool') return readBool(name, eq < 0 ? undefined : body.slice(eq + 1), flags);
  const value = eq < 0 ? args[i + 1] : body.slice(eq + 1);
  if (value === undefined) return `flag needs an argument: -${name}`;
  const error = store(kind, name, value, flags);
  if (error !== undefined) return error;
  return eq < 0 ? 2 : 1;
}

/** Own keys only: `-constructor` must not be taken for Object.prototype.constructor and accepted. */
function kindOf(name: string): FlagKind | undefined {
  return Object.hasOwn(flagKinds, name) ? flagKinds[name] : undefined;
}

function readBool(name: string, value: string | undefined, flags: RawFlags): number | string {
  if (value === undefined || ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) flags.bools.add(name);
  else if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) flags.bools.delete(name);
  else return `invalid boolean value "${value}" for -${name}`;
  return 1;
}

function store(kind: Exclude<FlagKind, 'bool'>, name: string, value: string, flags: RawFlags): string | undefined {
  switch (kind) {
    case 'string':
      flags.strings.set(name, value);
      return undefined;
    case 'repeat':
      flags.headers.push(value);
      return undefined;
    case 'int':
      return storeNumber(name, /^[+-]?\d+$/.test(value) ? Number(value) : Number.NaN, `invalid integer "${value}" for -${name}`, flags);
    case 'float':
      return storeNumber(name, value.trim() === '' ? Number.NaN : Number(value), `invalid number "${value}" for -${name}`, flags);
    case 'duration':
      return storeNumber(name, parseGoDuration(value) ?? Number.NaN, `invalid duration "${value}" for -${name} (examples: 30s, 1m, 1m30s)`, flags);
  }
}

function storeNumber(name: string, value: number, error: string, flags: RawFlags): string | undefined {
  if (!Number.isFinite(value)) return error;
  flags.numbers.set(name, value);
  return undefined;
}
