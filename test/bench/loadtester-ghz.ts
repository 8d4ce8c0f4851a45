/**
 * Benchmark of the load tester's built-in ghz (gRPC) generator against a grpc-js server answering the
 * standard health check on loopback, in its own process:
 *   throughput    `-z <d> -c 50 --connections 1`   (as fast as possible: calls/s, latency, CPU per call)
 *   rate-limited  `-z <d> --rps 1000 -c 10`        (the rate of all workers together; goal: achieved rate within 1 %)
 * No ghz binary is packaged for this machine, so there is no side-by-side ratio as for hey; the numbers are a
 * baseline to compare changes against. Results go to test/bench/results/loadtester-ghz.json.
 * Usage: `npm run bench:loadtester-ghz [-- --duration 10s]`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { parseGhzCommand } from '../../loadtester/src/ghz/ghz-plan.js';
import { buildGrpcReport, GrpcStats } from '../../loadtester/src/ghz/ghz-report.js';
import { resolveMethod } from '../../loadtester/src/ghz/grpc-method.js';
import { grpcTargetFactory, statusName } from '../../loadtester/src/ghz/grpc-target.js';
import { runLoadInto } from '../../loadtester/src/hey/engine.js';
import { parseGoDuration } from '../../loadtester/src/hey/go-duration.js';
import { createMetrics } from '../../loadtester/src/metrics.js';
import { systemClock } from '../../loadtester/src/ports/clock.js';
import { startGrpcTestServer } from '../../loadtester/test/support/grpc-test-server.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Measured {
  flags: string;
  calls: number;
  callsPerSecond: number;
  latencySeconds: { p50: number; p90: number; p99: number };
  statusCodes: Record<string, number>;
  cpuMicrosecondsPerCall: number;
}

/** Starts the server in a child process (so that it does not share the generator's event loop). */
async function startServerProcess(): Promise<{ address: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--server'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', (code) => reject(new Error(`the gRPC server exited ${String(code)}`)));
  });
  return { address, child };
}

async function measure(flags: string, address: string): Promise<Measured> {
  const parsed = parseGhzCommand(`ghz ${flags} ${address}`);
  if (!parsed.ok) throw new Error(parsed.error);
  const resolved = await resolveMethod(parsed.plan, undefined);
  if (!resolved.ok) throw new Error(resolved.error);
  // The shipped configuration: Prometheus samples are recorded for every call, as in the service.
  const samples = createMetrics(new Registry()).samplesFor('bench.default', statusName);
  const deps = { clock: systemClock(), createTarget: grpcTargetFactory(), onSample: (code: number, ms: number) => samples.record(code, ms) };
  const before = process.cpuUsage();
  const report = buildGrpcReport(await runLoadInto({ ...parsed.plan, resolved: resolved.method }, deps, new GrpcStats()), { countClientErrors: false });
  const used = process.cpuUsage(before);
  const { p50, p90, p99 } = report.latencySeconds;
  return {
    flags,
    calls: report.requests,
    callsPerSecond: Number(report.requestsPerSecond.toFixed(1)),
    latencySeconds: { p50, p90, p99 },
    statusCodes: report.statusCodes,
    cpuMicrosecondsPerCall: Number(((used.user + used.system) / Math.max(1, report.requests)).toFixed(1)),
  };
}

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

async function main(): Promise<void> {
  const duration = flag('--duration', '10s');
  if (parseGoDuration(duration) === undefined) throw new Error(`--duration ${duration} is not a duration`);
  const server = await startServerProcess();
  try {
    await measure('-z 2s -c 50 --insecure', server.address); // warm-up (JIT, connections)
    const throughput = await measure(`-z ${duration} -c 50 --insecure`, server.address);
    const asked = 1000;
    const limited = await measure(`-z ${duration} --rps ${asked} -c 10 --insecure`, server.address);
    const rateError = Math.abs(limited.callsPerSecond - asked) / asked;
    const results = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version },
      target: 'grpc-js server (same Node), grpc.health.v1.Health/Check on 127.0.0.1, plaintext',
      throughput,
      rateLimited: { ...limited, askedCallsPerSecond: asked, rateError: Number(rateError.toFixed(4)) },
      goals: { rateErrorBelowOnePercent: rateError < 0.01, noErrors: throughput.statusCodes.OK === throughput.calls },
    };
    const out = join(root, 'test/bench/results/loadtester-ghz.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    console.log(JSON.stringify(results, null, 2));
    console.log(`written to ${out}`);
  } finally {
    server.child.kill('SIGTERM');
  }
}

async function serve(): Promise<void> {
  const server = await startGrpcTestServer();
  process.stdout.write(`${server.address}\n`);
  process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
}

(process.argv.includes('--server') ? serve() : main()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
