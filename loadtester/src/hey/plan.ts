/**
 * A hey command line turned into a load-test plan with hey's semantics: `-q` is a rate per worker, `-z`
 * makes `-n` irrelevant, headers are set the way hey sets them (Content-Type `text/html` unless `-T`, a
 * `hey/0.0.1` User-Agent, `Accept-Encoding: gzip` unless `-disable-compression`).
 */
import { readFlags, type RawFlags } from './flags.js';
import { programArgs, runsProgram } from './tokenize.js';

/** Upper bound on `-c`: beyond this a single load tester is the wrong tool, and memory use would grow. */
export const maxConcurrency = 10_000;

/** Everything the generator needs to run one hey-compatible load test. */
export interface HeyPlan {
  url: URL;
  method: string;
  /** Header names and values in send order, with hey's defaults applied. */
  headers: readonly (readonly [string, string])[];
  /** Request body from `-d`; `-D` leaves it undefined and sets {@link HeyPlan.bodyFile}. */
  body: Buffer | undefined;
  bodyFile: string | undefined;
  /** Total requests; `Infinity` when a duration is set. */
  requests: number;
  concurrency: number;
  /** Requests per second per worker (`-q`); 0 means no limit. */
  qpsPerWorker: number;
  /** Run length in milliseconds (`-z`); 0 means "until `requests` are done". */
  durationMs: number;
  /** Per-request timeout in milliseconds (`-t`, seconds in hey, default 20); 0 means none. */
  timeoutMs: number;
  proxy: URL | undefined;
  http2: boolean;
  disableCompression: boolean;
  disableKeepAlive: boolean;
  disableRedirects: boolean;
}

/** A plan, or a message saying what is wrong with the command line. */
export type PlanResult = { ok: true; plan: HeyPlan } | { ok: false; error: string };

const heyUserAgent = 'hey/0.0.1';

/** True when a command line is a hey invocation (`hey …` or `/path/to/hey …`), which is run natively. */
export function isHeyCommand(command: string): boolean {
  return runsProgram(command, 'hey');
}

/**
 * Parses a full `hey [flags] URL` command line without any shell. Example:
 * `hey -z 1m -q 10 -c 2 http://podinfo-canary.test:9898/` ⇒ 2 workers × 10 req/s = 20 req/s for 60 s.
 */
export function parseHeyCommand(command: string): PlanResult {
  const words = programArgs(command, 'hey');
  if (!words.ok) return words;
  return parseHeyArgs(words.args);
}

/** Parses hey's arguments (the words after `hey`). */
export function parseHeyArgs(args: readonly string[]): PlanResult {
  const read = readFlags(args);
  if (!read.ok) return read;
  const refused = refusedFlag(read.flags);
  if (refused !== undefined) return { ok: false, error: refused };
  const url = parseTarget(read.flags.positional);
  if (typeof url === 'string') return { ok: false, error: url };
  const load = loadShape(read.flags);
  if (typeof load === 'string') return { ok: false, error: load };
  const headers = buildHeaders(read.flags);
  if (typeof headers === 'string') return { ok: false, error: headers };
  const proxy = parseProxy(read.flags.strings.get('x'));
  if (typeof proxy === 'string') return { ok: false, error: proxy };
  const method = (read.flags.strings.get('m') ?? 'GET').toUpperCase();
  if (!/^[A-Z]+$/.test(method)) return { ok: false, error: `invalid method "${method}" for -m` };
  return { ok: true, plan: { url, method, headers, proxy, ...load, ...bodyAndSwitches(read.flags) } };
}

function bodyAndSwitches(flags: RawFlags): Pick<HeyPlan, 'body' | 'bodyFile' | 'http2' | 'disableCompression' | 'disableKeepAlive' | 'disableRedirects'> {
  const data = flags.strings.get('d');
  return {
    body: data === undefined || data === '' ? undefined : Buffer.from(data),
    bodyFile: flags.strings.get('D'),
    http2: flags.bools.has('h2'),
    disableCompression: flags.bools.has('disable-compression'),
    disableKeepAlive: flags.bools.has('disable-keepalive'),
    disableRedirects: flags.bools.has('disable-redirects'),
  };
}

function refusedFlag(flags: RawFlags): string | undefined {
  const output = flags.strings.get('o');
  if (output !== undefined) return `-o ${output} is not supported: results are returned as JSON and exported as Prometheus metrics`;
  if (flags.strings.has('h')) return "flag -h is deprecated in hey, use -H 'Name: value'";
  const cpus = flags.numbers.get('cpus');
  if (cpus !== undefined && cpus < 1) return '-cpus cannot be smaller than 1';
  return undefined;
}

function parseTarget(positional: readonly string[]): URL | string {
  const [first, second] = positional;
  if (first === undefined) return 'missing URL: usage is hey [flags] URL';
  if (second !== undefined) return `unexpected argument "${second}" after the URL; hey reads flags only before the URL`;
  let url: URL;
  try {
    url = new URL(first);
  } catch {
    return `invalid URL "${first}"`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `unsupported URL scheme "${url.protocol}" (want http or https)`;
  return url;
}

type LoadShape = Pick<HeyPlan, 'requests' | 'concurrency' | 'qpsPerWorker' | 'durationMs' | 'timeoutMs'>;

function loadShape(flags: RawFlags): LoadShape | string {
  const number = (name: string, fallback: number): number => flags.numbers.get(name) ?? fallback;
  const [n, c, q, z, t] = [number('n', 200), number('c', 50), number('q', 0), number('z', 0), number('t', 20)];
  const rules: [boolean, string][] = [
    [c < 1, '-c cannot be smaller than 1'],
    [c > maxConcurrency, `-c cannot be larger than ${maxConcurrency}`],
    [q < 0, '-q cannot be negative'],
    [t < 0, '-t cannot be negative'],
    [z < 0, '-z cannot be negative'],
    // parity: hey's main.go; with -z the request count is ignored.
    [z === 0 && n < 1, '-n cannot be smaller than 1'],
    [z === 0 && n < c, '-n cannot be less than -c'],
  ];
  const broken = rules.find(([failed]) => failed);
  if (broken !== undefined) return broken[1];
  return { requests: z > 0 ? Number.POSITIVE_INFINITY : n, concurrency: c, qpsPerWorker: q, durationMs: z, timeoutMs: t * 1000 };
}

/** Go's `http.CanonicalHeaderKey`: `x-canary` ⇒ `X-Canary`. */
export function canonicalHeaderKey(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_all, dash: string, letter: string) => dash + letter.toUpperCase());
}

function buildHeaders(flags: RawFlags): HeyPlan['headers'] | string {
  const given = (name: string): string | undefined => (flags.strings.get(name) === '' ? undefined : flags.strings.get(name));
  const headers = new Map<string, string>([['Content-Type', given('T') ?? 'text/html']]);
  const bad = addHeaderFlags(headers, flags.headers);
  if (bad !== undefined) return bad;
  setIfGiven(headers, 'Accept', given('A'));
  const auth = given('a');
  if (auth !== undefined && !/^(.+):([^\s].+)/.test(auth)) return `could not parse -a "${auth}" (want username:password)`;
  setIfGiven(headers, 'Authorization', auth === undefined ? undefined : `Basic ${Buffer.from(auth).toString('base64')}`);
  setUserAgent(headers, given('U'));
  setIfGiven(headers, 'Host', given('host'));
  // Go's transport asks for gzip unless told not to (and then decompresses transparently).
  if (!flags.bools.has('disable-compression') && !headers.has('Accept-Encoding')) headers.set('Accept-Encoding', 'gzip');
  return [...headers.entries()];
}

/** Adds `-H 'Name: value'` headers (canonical names; a later one replaces an earlier one, like Go's Set). */
function addHeaderFlags(headers: Map<string, string>, given: readonly string[]): string | undefined {
  for (const header of given) {
    const match = /^([\w-]+):\s*(.+)/.exec(header);
    if (match === null) return `could not parse header "${header}" (want -H 'Name: value')`;
    headers.set(canonicalHeaderKey(match[1] ?? ''), match[2] ?? '');
  }
  return undefined;
}

function setIfGiven(headers: Map<string, string>, name: string, value: string | undefined): void {
  if (value !== undefined) headers.set(name, value);
}

function setUserAgent(headers: Map<string, string>, userAgent: string | undefined): void {
  const given = userAgent ?? headers.get('User-Agent');
  headers.set('User-Agent', given === undefined ? heyUserAgent : `${given} ${heyUserAgent}`);
}

function parseProxy(proxy: string | undefined): URL | undefined | string {
  if (proxy === undefined || proxy === '') return undefined;
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`);
  } catch {
    return `invalid proxy address "${proxy}" for -x`;
  }
}
