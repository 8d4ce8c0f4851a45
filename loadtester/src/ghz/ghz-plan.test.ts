import { describe, expect, it } from 'vitest';
import { defaultLoadLimits } from '../hey/limits.js';
import { limitGhzPlan } from './ghz-limits.js';
import { isGhzCommand, parseGhzCommand, type GhzPlan } from './ghz-plan.js';

function plan(command: string): GhzPlan {
  const parsed = parseGhzCommand(command);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.plan;
}

function error(command: string): string {
  const parsed = parseGhzCommand(command);
  if (parsed.ok) throw new Error(`parsed: ${command}`);
  return parsed.error;
}

describe('ghz command lines', () => {
  it("reads Flagger's documented example as 2 workers at 10 calls/s each for a minute, on one plaintext connection", () => {
    expect(plan('ghz -z 1m -q 10 -c 2 --insecure --call grpc.health.v1.Health/Check podinfo.test:9898')).toMatchObject({
      address: 'podinfo.test:9898',
      service: 'grpc.health.v1.Health',
      method: 'Check',
      protoSource: { kind: 'builtin-health' },
      requests: Number.POSITIVE_INFINITY,
      concurrency: 2,
      rps: 20,
      qpsPerWorker: 10,
      durationMs: 60_000,
      connections: 1,
      insecure: true,
    });
  });

  it("applies ghz's defaults: -n 200 -c 50, -t 20s, one connection, TLS, no rate limit, an empty request", () => {
    expect(plan('ghz --call grpc.health.v1.Health/Check podinfo.test:9898')).toMatchObject({
      requests: 200,
      concurrency: 50,
      timeoutMs: 20_000,
      durationMs: 0,
      connections: 1,
      rps: 0,
      insecure: false,
      skipTls: false,
      authority: undefined,
      data: {},
      metadata: [],
    });
  });

  it('calls the standard health check when no --call is given', () => {
    expect(plan('ghz -z 1m -q 10 -c 2 --insecure podinfo.test:9898')).toMatchObject({ service: 'grpc.health.v1.Health', method: 'Check' });
  });

  it.each([
    ['-n 10 -c 5', { requests: 10, concurrency: 5 }],
    ['--total 10 --concurrency=5', { requests: 10, concurrency: 5 }],
    ['-n10 -c5', { requests: 10, concurrency: 5 }],
    ['-r 40 -c 4', { rps: 40, qpsPerWorker: 10 }],
    ['--rps=40 -c 4', { rps: 40, qpsPerWorker: 10 }],
    ['--qps 10 -c 4', { rps: 40, qpsPerWorker: 10 }],
    ['-q10 -c 4', { rps: 40, qpsPerWorker: 10 }],
    ['-z 30s', { durationMs: 30_000, requests: Number.POSITIVE_INFINITY }],
    ['--duration 1m30s', { durationMs: 90_000 }],
    ['-n 1000 -x 10s', { requests: 1000, durationMs: 10_000 }],
    ['-z 1m --max-duration 10s', { durationMs: 10_000 }],
    ['-t 500ms', { timeoutMs: 500 }],
    ['--timeout 0', { timeoutMs: 0 }],
    ['-c 4 --connections 2', { connections: 2 }],
    ['--insecure', { insecure: true }],
    ['--insecure --no-insecure', { insecure: false }],
    ['-insecure', { insecure: true }],
    ['--insecure=true', { insecure: true }],
    ['--skipTLS', { skipTls: true }],
    ['--insecure --authority podinfo.example.com', { authority: 'podinfo.example.com' }],
    ['--cpus 2', { concurrency: 50 }],
    [`-d '{"service":"podinfo"}'`, { data: { service: 'podinfo' } }],
    [`--data='{"service":"podinfo"}'`, { data: { service: 'podinfo' } }],
    [`-m '{"Authorization":"Bearer abc","x-canary":"insider"}'`, { metadata: [['authorization', 'Bearer abc'], ['x-canary', 'insider']] }],
    ['--call grpc.health.v1.Health.Check', { service: 'grpc.health.v1.Health', method: 'Check' }],
    ['--call=grpc.health.v1.Health/Check --proto /tmp/ghz/health.proto', { protoSource: { kind: 'builtin-health' } }],
    ['--call helloworld.Greeter/SayHello --proto greeter.proto -i protos,vendor', { protoSource: { kind: 'proto', file: 'greeter.proto', importPaths: ['protos', 'vendor'] } }],
    ['--call helloworld.Greeter.SayHello --import-paths=protos --proto=greeter.proto', { service: 'helloworld.Greeter', method: 'SayHello', protoSource: { kind: 'proto', file: 'greeter.proto', importPaths: ['protos'] } }],
    ['--call helloworld.Greeter/SayHello --protoset bundle.protoset', { protoSource: { kind: 'protoset', file: 'bundle.protoset' } }],
    ['--call helloworld.Greeter/SayHello --protoset bundle.protoset --proto greeter.proto', { protoSource: { kind: 'proto', file: 'greeter.proto' } }],
  ])('reads %s', (flags, expected) => {
    expect(plan(`ghz ${flags} podinfo.test:9898`)).toMatchObject(expected);
  });

  it('takes the address anywhere between the flags, as kingpin does, and after --', () => {
    expect(plan('ghz podinfo.test:9898 -n 10 -c 2 --insecure')).toMatchObject({ address: 'podinfo.test:9898', requests: 10, insecure: true });
    expect(plan('ghz -n 10 -c 2 -- podinfo.test:9898')).toMatchObject({ address: 'podinfo.test:9898' });
    expect(plan('/usr/local/bin/ghz --insecure dns:///podinfo.test:9898')).toMatchObject({ address: 'dns:///podinfo.test:9898' });
  });

  it('recognises ghz command lines and nothing else', () => {
    expect(isGhzCommand('ghz --insecure podinfo:9898')).toBe(true);
    expect(isGhzCommand('  /usr/local/bin/ghz -n 1 x:1')).toBe(true);
    expect(isGhzCommand('ghzz --insecure x:1')).toBe(false);
    expect(isGhzCommand('hey http://x/')).toBe(false);
  });
});

describe('refused ghz command lines', () => {
  it.each([
    ['ghz --cacert ca.pem x:1', 'flag --cacert is not supported: custom CAs and client certificates are not supported'],
    ['ghz --config run.json x:1', 'flag --config is not supported: settings are read from the command line only'],
    ['ghz -D data.json x:1', 'flag --data-file is not supported: request data is read from -d only'],
    ['ghz -O json x:1', 'flag --format is not supported: results are returned as JSON'],
    ['ghz --async x:1', 'flag --async is not supported: the built-in ghz does not implement it'],
    ['ghz --reflect-metadata {} x:1', 'server reflection is not supported'],
    ['ghz --bogus x:1', 'unknown flag --bogus (supported ghz flags: --call --proto --protoset -i/--import-paths'],
    ['ghz -Y 3 x:1', 'unknown flag -Y'],
    ['ghz --constructor x x:1', 'unknown flag --constructor'],
    ['ghz -toString x:1', 'invalid duration "oString" for --timeout'],
    ['ghz --no-constructor x:1', 'unknown flag --no-constructor'],
    ['ghz -n', 'flag --total needs a value'],
    ['ghz -n ten x:1', 'invalid whole number "ten" for --total'],
    ['ghz -c -2 x:1', 'invalid whole number "-2" for --concurrency'],
    ['ghz -z 10 x:1', 'invalid duration "10" for --duration (examples: 30s, 1m, 1m30s)'],
    ['ghz --insecure=yes x:1', 'invalid value "yes" for --insecure'],
    ['ghz -c 0 x:1', '-c/--concurrency cannot be smaller than 1'],
    ['ghz -q 10 --rps 20 x:1', 'give -r/--rps (calls/s in total) or -q/--qps (calls/s per worker), not both'],
    ['ghz -n 0 x:1', '-n/--total cannot be smaller than 1'],
    ['ghz -c 2 --connections 3 x:1', 'number of connections cannot be greater than concurrency'],
    ['ghz --connections 0 x:1', '--connections cannot be smaller than 1'],
    ['ghz --cpus 0 x:1', '--cpus cannot be smaller than 1'],
    ['ghz --insecure', 'missing host: usage is ghz [flags] host:port'],
    ['ghz x:1 y:2', 'unexpected argument "y:2": ghz takes one host:port'],
    ['ghz http://podinfo.test:9898', 'invalid host "http://podinfo.test:9898": ghz takes host:port, not a URL'],
    ['ghz --call Check x:1', 'invalid --call "Check"'],
    ['ghz --call grpc.health.v1.Health/ x:1', 'invalid --call "grpc.health.v1.Health/"'],
    [`ghz -d '{"service":' x:1`, '-d/--data is not JSON'],
    [`ghz -d '[{}]' x:1`, '-d/--data must be one JSON object'],
    [`ghz -d '{"name":"{{.RequestNumber}}"}' x:1`, 'call templates ({{…}}) are not supported'],
    [`ghz -m 'x' x:1`, '-m/--metadata is not JSON'],
    [`ghz -m '{"n":1}' x:1`, '-m/--metadata value of "n" must be a string'],
    [`ghz -m '{"a b":"c"}' x:1`, '-m/--metadata key "a b" is not a valid ASCII metadata key'],
    [`ghz -m '{"trace-bin":"c"}' x:1`, '-m/--metadata key "trace-bin" is not a valid ASCII metadata key'],
    ['ghz --call a.B/C --proto greeter.txt x:1', '--proto greeter.txt: must have .proto extension'],
    ['ghz --call helloworld.Greeter/SayHello x:1', '--call helloworld.Greeter/SayHello needs --proto or --protoset: server reflection is not supported'],
    ['ghz --insecure x:1 | tee out', "'|' is shell syntax"],
    ['hey -n 1 http://x/', 'the command does not start with ghz'],
    ['', 'the command does not start with ghz'],
  ])('refuses %s', (command, message) => {
    expect(error(command)).toContain(message);
  });
});

describe('ghz load limits', () => {
  const limits = defaultLoadLimits;

  it('spreads the rate over the workers and turns "no limit" into --max-rate', () => {
    const limited = limitGhzPlan(plan('ghz -z 1m -c 4 x:1'), limits);
    // --rps 0 ⇒ 1000 calls/s shared by 4 workers ⇒ 250 each.
    expect(limited).toMatchObject({ ok: true, plan: { qpsPerWorker: 250, timeoutMs: 20_000 } });
    expect(limitGhzPlan(plan('ghz -z 1m --rps 100 -c 4 x:1'), limits)).toMatchObject({ ok: true, plan: { qpsPerWorker: 25 } });
    expect(limitGhzPlan(plan('ghz -z 1m -q 100 -c 4 x:1'), limits)).toMatchObject({ ok: true, plan: { qpsPerWorker: 100 } });
  });

  it('bounds a missing deadline (-t 0) and a long one by --max-duration', () => {
    expect(limitGhzPlan(plan('ghz -t 0 x:1'), limits)).toMatchObject({ plan: { timeoutMs: 600_000 } });
    expect(limitGhzPlan(plan('ghz -t 1h x:1'), limits)).toMatchObject({ plan: { timeoutMs: 600_000 } });
  });

  it.each([
    ['ghz -z 1m -c 101 x:1', '-c 101 is over'],
    ['ghz -z 1m --rps 1001 x:1', '1001 calls/s (--rps, or -q × -c) is over'],
    ['ghz -z 1m -q 21 x:1', '1050 calls/s (--rps, or -q × -c) is over'],
    ['ghz -z 11m x:1', '-z 660s is over'],
    ['ghz -n 600001 x:1', '-n 600001 is over'],
  ])('refuses %s', (command, message) => {
    expect(limitGhzPlan(plan(command), limits)).toMatchObject({ ok: false, error: expect.stringContaining(message) as unknown });
  });
});
