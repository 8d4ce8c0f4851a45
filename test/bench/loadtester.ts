/**
 * Benchmark of the load tester's built-in hey against Debian's `hey`, both aimed at Debian's `nginx` serving
 * a small static file on loopback, with the same flags:
 *   throughput    `-z <d> -c 50`              (as fast as possible; goal: ours ≥ 1.0 × hey's req/s)
 *   rate-limited  `-z <d> -q 100 -c 10`       (1 000 req/s asked; goal: achieved rate within 1 %)
 * Each tool runs in its own process. On a shared machine the numbers move with the neighbours' load, so
 * the throughput runs are interleaved over several rounds (alternating which tool goes first) and the
 * medians are compared. Results go to test/bench/results/loadtester.json.
 * Each tool's CPU time per request is reported too: on a shared machine it is steadier than req/s.
 * Usage: `npm run bench:loadtester [-- --duration 10s --rounds 5]`.
 * nginx runs from a generated config in a temporary folder on a free port; only its pid is stopped.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { runLoad } from '../../loadtester/src/hey/engine.js';
import { parseGoDuration } from '../../loadtester/src/hey/go-duration.js';
import { parseHeyArgs } from '../../loadtester/src/hey/plan.js';
import { buildReport } from '../../loadtester/src/hey/report.js';
import { undiciTargetFactory } from '../../loadtester/src/hey/undici-target.js';
import { createMetrics } from '../../loadtester/src/metrics.js';
import { systemClock } from '../../loadtester/src/ports/clock.js';
import { freePort } from '../../src/local-cluster/free-port.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface ToolResult {
  requests: number;
  requestsPerSecond: number;
  latencySeconds: { p50: number; p90: number; p99: number };
  statusCodes: Record<string, number>;
  /** CPU time (user + system) the tool's process used, per request: steadier than req/s on a busy machine. */
  cpuMicrosecondsPerRequest?: number;
}

/**
 * Runs a program under `bash -c '…; times'`, whose second `times` line is the CPU time of the shell's
 * children, i.e. of the program. Resolves with its stdout and that CPU time in seconds.
 */
function runTimed(file: string, args: string[]): Promise<{ out: string; cpuSeconds: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', '"$0" "$@" || exit $?; times >&2', file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const children = err.trim().split('\n').at(-1) ?? '';
      const times = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
      if (code !== 0 || times.length !== 2) return reject(new Error(`${file} exited ${String(code)}:\n${err}`));
      resolve({ out, cpuSeconds: (times[0] ?? 0) + (times[1] ?? 0) });
    });
  });
}

function withCpu(result: ToolResult, cpuSeconds: number): ToolResult {
  return { ...result, cpuMicrosecondsPerRequest: round((cpuSeconds * 1e6) / Math.max(1, result.requests), 1) };
}

function ensureTools(): void {
  const missing = ['hey', 'nginx'].filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) execFileSync('bash', [join(root, 'scripts/install-toolchain.sh'), 'debian'], { stdio: 'inherit' });
}

async function startNginx(): Promise<{ url: string; process: ChildProcess; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'songbird-bench-nginx-'));
  // nginx's workers run as an unprivileged user when started as root: they must be able to read the files.
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'www'), { mode: 0o755 });
  writeFileSync(join(dir, 'www', 'index.html'), `<html><body>${'songbird '.repeat(60)}</body></html>\n`, { mode: 0o644 });
  const port = await freePort();
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir}/${t};`).join(' ');
  const config = `worker_processes auto;
pid ${dir}/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off; ${temp}
  keepalive_requests 10000000;
  server { listen 127.0.0.1:${port}; root ${dir}/www; location / { } }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), config);
  const child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    if (await fetch(url).then((r) => r.ok, () => false)) return { url, process: child, dir };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGTERM');
  throw new Error('nginx did not start');
}

async function runHey(args: string[]): Promise<ToolResult> {
  const { out, cpuSeconds } = await runTimed('hey', args);
  return withCpu(parseHeyOutput(out), cpuSeconds);
}

/** Reads hey's text summary: `Requests/sec:`, `NN% in X secs` and `[code] N responses` lines. */
function parseHeyOutput(out: string): ToolResult {
  const number = (re: RegExp): number => Number(re.exec(out)?.[1] ?? Number.NaN);
  const statusCodes: Record<string, number> = {};
  for (const match of out.matchAll(/\[(\d+)\]\s+(\d+) responses/g)) statusCodes[match[1] ?? ''] = Number(match[2]);
  return {
    requests: Object.values(statusCodes).reduce((a, b) => a + b, 0),
    requestsPerSecond: number(/Requests\/sec:\s+([\d.]+)/),
    latencySeconds: { p50: number(/50%+ in ([\d.]+) secs/), p90: number(/90%+ in ([\d.]+) secs/), p99: number(/99%+ in ([\d.]+) secs/) },
    statusCodes,
  };
}

/**
 * Runs our generator in a child process (this script with `--ours`), as hey runs in its own. The child
 * measures its CPU time around the run itself: Node's start-up and tsx's transpiling are not the generator's.
 */
async function runOurs(args: string[]): Promise<ToolResult> {
  const script = fileURLToPath(import.meta.url);
  const { out } = await runTimed(process.execPath, [...process.execArgv, script, '--ours', ...args]);
  return JSON.parse(out) as ToolResult;
}

async function oursInThisProcess(args: string[]): Promise<ToolResult> {
  const parsed = parseHeyArgs(args);
  if (!parsed.ok) throw new Error(parsed.error);
  // The shipped configuration: Prometheus samples are recorded for every request, as in the service.
  const samples = createMetrics(new Registry()).samplesFor('bench.default');
  const deps = { clock: systemClock(), createTarget: undiciTargetFactory(), onSample: (s: number, ms: number) => samples.record(s, ms) };
  const before = process.cpuUsage();
  const report = buildReport(await runLoad(parsed.plan, deps), { countClientErrors: false });
  const used = process.cpuUsage(before);
  const { p50, p90, p99 } = report.latencySeconds;
  const result = { requests: report.requests, requestsPerSecond: report.requestsPerSecond, latencySeconds: { p50, p90, p99 }, statusCodes: report.statusCodes };
  return withCpu(result, (used.user + used.system) / 1e6);
}

function cpu(result: ToolResult): number {
  return result.cpuMicrosecondsPerRequest ?? Number.NaN;
}

function rateError(result: ToolResult, asked: number): number {
  return Math.abs(result.requestsPerSecond - asked) / asked;
}

const round = (value: number, digits = 4): number => Number(value.toFixed(digits));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** The round whose req/s is the median, so the reported percentiles belong to a real run. */
function medianRun(runs: ToolResult[]): ToolResult & { roundsRequestsPerSecond: number[] } {
  const target = median(runs.map((run) => run.requestsPerSecond));
  const closest = runs.reduce((best, run) => (Math.abs(run.requestsPerSecond - target) < Math.abs(best.requestsPerSecond - target) ? run : best));
  return { ...closest, requestsPerSecond: round(target, 1), roundsRequestsPerSecond: runs.map((run) => round(run.requestsPerSecond, 1)) };
}

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

async function throughputRounds(args: string[], rounds: number): Promise<{ hey: ToolResult[]; ours: ToolResult[] }> {
  const hey: ToolResult[] = [];
  const ours: ToolResult[] = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      hey.push(await runHey(args));
      ours.push(await runOurs(args));
    } else {
      ours.push(await runOurs(args));
      hey.push(await runHey(args));
    }
  }
  return { hey, ours };
}

async function main(): Promise<void> {
  const duration = flag('--duration', '10s');
  const rounds = Number(flag('--rounds', '5'));
  if (parseGoDuration(duration) === undefined) throw new Error(`--duration ${duration} is not a duration`);
  if (!(rounds >= 1)) throw new Error('--rounds must be at least 1');
  ensureTools();
  const nginx = await startNginx();
  try {
    const fast = ['-z', duration, '-c', '50', nginx.url];
    const limited = ['-z', duration, '-q', '100', '-c', '10', nginx.url];
    const asked = 100 * 10;
    // Warm both up briefly (JIT, nginx page cache), then measure.
    await runOurs(['-z', '2s', '-c', '50', nginx.url]);
    await runHey(['-z', '2s', '-c', '50', nginx.url]);
    const fastRuns = await throughputRounds(fast, rounds);
    const heyLimited = await runHey(limited);
    const oursLimited = await runOurs(limited);
    const results = summarise({ fast, limited, asked, rounds, fastRuns, heyLimited, oursLimited });
    const out = join(root, 'test/bench/results/loadtester.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    console.log(JSON.stringify(results, null, 2));
    console.log(`written to ${out}`);
  } finally {
    nginx.process.kill('SIGTERM');
    await new Promise((r) => nginx.process.once('close', r));
    rmSync(nginx.dir, { recursive: true, force: true });
  }
}

interface Measured {
  fast: string[];
  limited: string[];
  asked: number;
  rounds: number;
  fastRuns: { hey: ToolResult[]; ours: ToolResult[] };
  heyLimited: ToolResult;
  oursLimited: ToolResult;
}

function summarise({ fast, limited, asked, rounds, fastRuns, heyLimited, oursLimited }: Measured): object {
  const heyFast = medianRun(fastRuns.hey);
  const oursFast = medianRun(fastRuns.ours);
  return {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version },
    target: 'nginx (Debian), static 0.6 KB page on 127.0.0.1, worker_processes auto',
    throughput: {
      flags: fast.slice(0, -1).join(' '),
      rounds,
      hey: heyFast,
      songbird: oursFast,
      ratio: round(oursFast.requestsPerSecond / heyFast.requestsPerSecond),
      cpuPerRequestRatio: round(median(fastRuns.ours.map(cpu)) / median(fastRuns.hey.map(cpu))),
    },
    rateLimited: {
      flags: limited.slice(0, -1).join(' '),
      askedRequestsPerSecond: asked,
      hey: { ...heyLimited, rateError: round(rateError(heyLimited, asked)) },
      songbird: { ...oursLimited, rateError: round(rateError(oursLimited, asked)) },
    },
    goals: {
      throughputAtLeastHey: oursFast.requestsPerSecond >= heyFast.requestsPerSecond,
      rateErrorBelowOnePercent: rateError(oursLimited, asked) < 0.01,
    },
  };
}

const ours = process.argv.indexOf('--ours');
const run = ours > 0 ? oursInThisProcess(process.argv.slice(ours + 1)).then((result) => console.log(JSON.stringify(result))) : main();
run.catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
