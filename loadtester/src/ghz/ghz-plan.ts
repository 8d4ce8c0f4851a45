/**
 * A ghz command line turned into a gRPC load-test plan with ghz's semantics: `-c` workers share
 * `--connections` connections, `--rps` is the rate of all workers together while the older `-q` is per
 * worker (as in hey), `-z` makes `-n` irrelevant, `-x` caps a `-n` run's time, `-t` is each call's deadline.
 */
import type { LoadShape } from '../hey/engine.js';
import { programArgs, runsProgram } from '../hey/tokenize.js';
import { readGhzFlags, type GhzFlags } from './ghz-flags.js';

/** The standard health-checking method, built in (no proto file needed). */
export const healthCheckCall = 'grpc.health.v1.Health/Check';
const healthService = 'grpc.health.v1.Health';

/** Where the method's message types come from. */
export type ProtoSource = { kind: 'builtin-health' } | { kind: 'proto'; file: string; importPaths: string[] } | { kind: 'protoset'; file: string };

/** Everything the gRPC generator needs for one load test. */
export interface GhzPlan extends LoadShape {
  /** gRPC target as ghz takes it: `host:port` (or a grpc-js name such as `dns:///host:port`). */
  address: string;
  /** Fully-qualified service (`grpc.health.v1.Health`) and method (`Check`). */
  service: string;
  method: string;
  protoSource: ProtoSource;
  /** The request message as JSON (`-d`), `{}` by default. */
  data: Record<string, unknown>;
  /** Request metadata (`-m`), keys lower-cased. */
  metadata: readonly (readonly [string, string])[];
  /** Plaintext (`--insecure`); otherwise TLS with the system CAs. */
  insecure: boolean;
  /** TLS without verifying the server's certificate (`--skipTLS`). */
  skipTls: boolean;
  /** `:authority` pseudo-header (`--authority`). */
  authority: string | undefined;
  /** Connections the workers are spread over (`--connections`, default 1). */
  connections: number;
  /** Requests per second of all workers together (`--rps`, or `-q` × `-c`); 0 means no limit. */
  rps: number;
}

/** A plan, or a message saying what is wrong with the command line. */
export type GhzPlanResult = { ok: true; plan: GhzPlan } | { ok: false; error: string };

/** True when a command line is a ghz invocation (`ghz …` or `/path/to/ghz …`), which is run natively. */
export function isGhzCommand(command: string): boolean {
  return runsProgram(command, 'ghz');
}

/**
 * Parses a full `ghz [flags] host:port` command line without any shell. Example:
 * `ghz -z 1m -q 10 -c 2 --insecure --call grpc.health.v1.Health/Check podinfo.test:9898` ⇒ 2 workers
 * sharing one plaintext connection, 10 calls/s each (20 in total), for 60 s.
 */
export function parseGhzCommand(command: string): GhzPlanResult {
  const words = programArgs(command, 'ghz');
  if (!words.ok) return words;
  const read = readGhzFlags(words.args);
  if (!read.ok) return read;
  return planFrom(read.flags);
}

function planFrom(flags: GhzFlags): GhzPlanResult {
  const fail = (error: string): GhzPlanResult => ({ ok: false, error });
  const address = parseAddress(flags.positional);
  if (address.error !== undefined) return fail(address.error);
  const call = parseCall(flags.strings.get('call'));
  if (typeof call === 'string') return fail(call);
  const load = loadShape(flags);
  if (typeof load === 'string') return fail(load);
  const data = parseData(flags.strings.get('data'));
  if (typeof data === 'string') return fail(data);
  const metadata = parseMetadata(flags.strings.get('metadata'));
  if (typeof metadata === 'string') return fail(metadata);
  const source = protoSource(flags, call);
  if (typeof source === 'string') return fail(source);
  const tls = { insecure: flags.bools.get('insecure') ?? false, skipTls: flags.bools.get('skipTLS') ?? false, authority: flags.strings.get('authority') };
  return { ok: true, plan: { address: address.value, ...call, ...load, data, metadata, protoSource: source, ...tls } };
}

/** The address, or the error (both are strings, hence the object). */
function parseAddress(positional: readonly string[]): { value: string; error?: undefined } | { error: string } {
  const [first, second] = positional;
  if (first === undefined || first === '') return { error: 'missing host: usage is ghz [flags] host:port' };
  if (second !== undefined) return { error: `unexpected argument "${second}": ghz takes one host:port` };
  if (/^[a-z][a-z0-9+.-]*:\/\/(?!\/)/i.test(first)) return { error: `invalid host "${first}": ghz takes host:port, not a URL` };
  return { value: first };
}

interface Call {
  service: string;
  method: string;
}

/**
 * `package.Service/Method` or `package.Service.Method` (ghz accepts both). Without `--call` the standard
 * health check is called.
 */
function parseCall(call: string | undefined): Call | string {
  // parity: ghz refuses a run without --call ("call required"), so Flagger's documented
  // `ghz -z 1m -q 10 -c 2 --insecure podinfo.test:9898` fails silently in Flagger's load tester; here it
  // calls the health-checking service, which is what that example is documented to exercise.
  const text = call ?? healthCheckCall;
  const match = /^([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)[/.]([A-Za-z_]\w*)$/.exec(text.trim());
  if (match === null || (!(match[1] ?? '').includes('.') && !text.includes('/'))) {
    return `invalid --call "${text}" (want package.Service/Method, e.g. ${healthCheckCall})`;
  }
  return { service: match[1] ?? '', method: match[2] ?? '' };
}

type GhzLoad = LoadShape & Pick<GhzPlan, 'connections' | 'rps'>;

/**
 * Worked example: `--rps 10 -c 2` ⇒ 10 calls/s, 5 per worker; `-q 10 -c 2` ⇒ 10 per worker, 20 calls/s
 * (ghz up to 0.64 ticked `-q` in every worker); `-z 30s -x 10s` stops after 10 s.
 */
function loadShape(flags: GhzFlags): GhzLoad | string {
  const number = (name: string, fallback: number): number => flags.numbers.get(name) ?? fallback;
  const [n, c, z, x, t] = [number('total', 200), number('concurrency', 50), number('duration', 0), number('max-duration', 0), number('timeout', 20_000)];
  const rps = flags.numbers.get('rps') ?? number('qps', 0) * c;
  const connections = number('connections', 1);
  const rules: [boolean, string][] = [
    [flags.numbers.has('rps') && flags.numbers.has('qps'), 'give -r/--rps (calls/s in total) or -q/--qps (calls/s per worker), not both'],
    [c < 1, '-c/--concurrency cannot be smaller than 1'],
    [z === 0 && n < 1, '-n/--total cannot be smaller than 1'],
    [connections < 1, '--connections cannot be smaller than 1'],
    // parity: ghz's runner/options.go, same message.
    [connections > c, 'number of connections cannot be greater than concurrency'],
    [number('cpus', 1) < 1, '--cpus cannot be smaller than 1'],
  ];
  const broken = rules.find(([failed]) => failed);
  if (broken !== undefined) return broken[1];
  const durationMs = z > 0 && x > 0 ? Math.min(z, x) : z > 0 ? z : x;
  return { requests: z > 0 ? Number.POSITIVE_INFINITY : n, concurrency: c, qpsPerWorker: rps / c, durationMs, timeoutMs: t, connections, rps };
}

function parseData(text: string | undefined): Record<string, unknown> | string {
  if (text === undefined) return {};
  if (text.includes('{{')) return '-d/--data call templates ({{…}}) are not supported; give the message as plain JSON';
  return jsonObject(text, '-d/--data', 'one JSON object (the request message)');
}

/** `text` as a JSON object, or the message naming `flag` and what it `mustBe`. */
function jsonObject(text: string, flag: string, mustBe: string): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `${flag} is not JSON: ${(error as Error).message}`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${flag} must be ${mustBe}`;
  return value as Record<string, unknown>;
}

function parseMetadata(text: string | undefined): GhzPlan['metadata'] | string {
  if (text === undefined) return [];
  const value = jsonObject(text, '-m/--metadata', 'a JSON object of strings');
  if (typeof value === 'string') return value;
  const entries: [string, string][] = [];
  for (const [key, item] of Object.entries(value)) {
    const name = key.toLowerCase();
    if (typeof item !== 'string') return `-m/--metadata value of "${key}" must be a string`;
    if (!/^[0-9a-z_.-]+$/.test(name) || name.endsWith('-bin')) return `-m/--metadata key "${key}" is not a valid ASCII metadata key`;
    entries.push([name, item]);
  }
  return entries;
}

function protoSource(flags: GhzFlags, call: Call): ProtoSource | string {
  const proto = flags.strings.get('proto');
  const protoset = flags.strings.get('protoset');
  const importPaths = (flags.strings.get('import-paths') ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
  // The health-checking service is standard (grpc/grpc-proto), so a proto file for it, such as the
  // /tmp/ghz/health.proto of Flagger's load tester image, describes the built-in one.
  if (call.service === healthService) return { kind: 'builtin-health' };
  // parity: ghz, "-proto takes precedence" over -protoset.
  if (proto !== undefined && proto !== '') {
    if (!proto.endsWith('.proto')) return `--proto ${proto}: must have .proto extension`;
    return { kind: 'proto', file: proto, importPaths };
  }
  if (protoset !== undefined && protoset !== '') return { kind: 'protoset', file: protoset };
  return `--call ${call.service}/${call.method} needs --proto or --protoset: server reflection is not supported (only ${healthCheckCall} is built in)`;
}
