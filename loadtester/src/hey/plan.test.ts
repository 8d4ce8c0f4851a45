import { describe, expect, it } from 'vitest';
import { isHeyCommand, parseHeyCommand, type HeyPlan } from './plan.js';

function plan(command: string): HeyPlan {
  const parsed = parseHeyCommand(command);
  if (!parsed.ok) throw new Error(`expected ${command} to parse, got: ${parsed.error}`);
  return parsed.plan;
}

function header(p: HeyPlan, name: string): string | undefined {
  return p.headers.find(([key]) => key === name)?.[1];
}

describe('hey command lines users write in Flagger canaries', () => {
  it.each([
    {
      command: 'hey -z 1m -q 10 -c 2 http://podinfo-canary.test:9898/',
      expected: { durationMs: 60_000, qpsPerWorker: 10, concurrency: 2, requests: Number.POSITIVE_INFINITY, method: 'GET' },
    },
    {
      command: 'hey -z 2m -q 10 -c 2 -H "Cookie: type=insider" http://podinfo.test:9898/',
      expected: { durationMs: 120_000, qpsPerWorker: 10, concurrency: 2 },
    },
    {
      command: 'hey -z 1m -q 5 -c 2 -host app.example.com http://nginx-ingress-controller.ingress-nginx',
      expected: { durationMs: 60_000, qpsPerWorker: 5, concurrency: 2 },
    },
    {
      command: "hey -z 30s -q 10 -c 2 -m POST -d '{\"test\": 2}' http://podinfo-canary.test:9898/echo",
      expected: { durationMs: 30_000, method: 'POST' },
    },
    { command: 'hey -n 1000 -c 10 http://podinfo.test:9898/status/200', expected: { requests: 1000, concurrency: 10, durationMs: 0 } },
    { command: 'hey http://podinfo.test:9898/', expected: { requests: 200, concurrency: 50, timeoutMs: 20_000, qpsPerWorker: 0 } },
    { command: '/usr/local/bin/hey -z=1m30s -c=4 -q=2.5 http://x.test/', expected: { durationMs: 90_000, concurrency: 4, qpsPerWorker: 2.5 } },
    { command: 'hey --z 10s --c 3 -t 0 http://x.test/', expected: { durationMs: 10_000, concurrency: 3, timeoutMs: 0 } },
    { command: 'hey -z 10s -n 5 -c 20 http://x.test/', expected: { durationMs: 10_000, concurrency: 20, requests: Number.POSITIVE_INFINITY } },
    { command: 'hey -disable-keepalive -disable-redirects -h2 -cpus 2 http://x.test/', expected: { disableKeepAlive: true, disableRedirects: true, http2: true } },
    { command: 'hey -h2=false -disable-compression=true http://x.test/', expected: { http2: false, disableCompression: true } },
  ])('parses $command', ({ command, expected }) => {
    expect(plan(command)).toMatchObject(expected);
  });

  it('keeps the URL, path and query exactly', () => {
    expect(plan('hey -n 1 -c 1 "http://podinfo.test:9898/api/echo?x=1&y=2"').url.href).toBe('http://podinfo.test:9898/api/echo?x=1&y=2');
  });

  it('sets headers as hey does: text/html content type, hey user agent, gzip, canonical names, last one wins', () => {
    const p = plan("hey -H 'x-canary: insider' -H 'X-Canary: outsider' -A application/json -U probe http://x.test/");
    expect(header(p, 'Content-Type')).toBe('text/html');
    expect(header(p, 'X-Canary')).toBe('outsider');
    expect(header(p, 'Accept')).toBe('application/json');
    expect(header(p, 'User-Agent')).toBe('probe hey/0.0.1');
    expect(header(p, 'Accept-Encoding')).toBe('gzip');
  });

  it('sends the Host header from -host and basic credentials from -a', () => {
    const p = plan('hey -host app.example.com -a user:secret -T application/json http://10.0.0.1/');
    expect(header(p, 'Host')).toBe('app.example.com');
    expect(header(p, 'Authorization')).toBe(`Basic ${Buffer.from('user:secret').toString('base64')}`);
    expect(header(p, 'Content-Type')).toBe('application/json');
  });

  it('asks for no compression with -disable-compression', () => {
    expect(header(plan('hey -disable-compression http://x.test/'), 'Accept-Encoding')).toBeUndefined();
  });

  it('reads a request body from -d and remembers a -D file for later', () => {
    expect(plan("hey -m put -d 'a b' http://x.test/").body?.toString()).toBe('a b');
    expect(plan('hey -D body.json http://x.test/').bodyFile).toBe('body.json');
  });

  it('takes a proxy with or without a scheme', () => {
    expect(plan('hey -x proxy.local:3128 http://x.test/').proxy?.href).toBe('http://proxy.local:3128/');
    expect(plan('hey -x https://proxy.local http://x.test/').proxy?.href).toBe('https://proxy.local/');
  });
});

describe('hey command lines that are refused with a clear reason', () => {
  it.each([
    ['hey -z 1m -o csv http://x.test/', '-o csv is not supported'],
    ['hey -z 1m -k http://x.test/', 'unknown flag -k'],
    ['hey -constructor x http://x.test/', 'unknown flag -constructor'],
    ['hey -toString=1 http://x.test/', 'unknown flag -toString'],
    ['hey -z 1m http://x.test/ | tee out.txt', "'|' is shell syntax"],
    ['hey -z 1m http://x.test/ > /dev/null', "'>' is shell syntax"],
    ['hey -z 1m http://$HOST/', "'$' is shell syntax"],
    ['hey -z 1m "http://$HOST/"', "'$' is shell syntax"],
    ["hey -z 1m 'http://x.test/", 'unterminated'],
    ['hey -z 1m -c 2', 'missing URL'],
    ['hey http://x.test/ -z 1m', 'unexpected argument "-z" after the URL'],
    ['hey -z 1x http://x.test/', 'invalid duration "1x" for -z'],
    ['hey -z 1 http://x.test/', 'invalid duration "1" for -z'],
    ['hey -n ten http://x.test/', 'invalid integer "ten" for -n'],
    ['hey -q fast http://x.test/', 'invalid number "fast" for -q'],
    ['hey -n 10 -c 20 http://x.test/', '-n cannot be less than -c'],
    ['hey -c 0 http://x.test/', '-c cannot be smaller than 1'],
    ['hey -c 20000 -z 1s http://x.test/', '-c cannot be larger than 10000'],
    ['hey -q -1 http://x.test/', '-q cannot be negative'],
    ['hey -H nocolon http://x.test/', 'could not parse header "nocolon"'],
    ['hey -a nopassword http://x.test/', 'could not parse -a'],
    ['hey -h X-A:1 http://x.test/', 'flag -h is deprecated'],
    ['hey -z', 'flag needs an argument: -z'],
    ['hey -h2=maybe http://x.test/', 'invalid boolean value "maybe" for -h2'],
    ['hey -m "GE T" http://x.test/', 'invalid method'],
    ['hey ftp://x.test/file', 'unsupported URL scheme "ftp:"'],
    ['hey not-a-url', 'invalid URL "not-a-url"'],
    ['curl http://x.test/', 'does not start with hey'],
  ])('refuses %s', (command, reason) => {
    const parsed = parseHeyCommand(command);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(reason);
  });
});

describe('recognising hey commands', () => {
  it.each([
    ['hey -z 1m http://x/', true],
    ['  /usr/bin/hey http://x/', true],
    ['heyhey http://x/', false],
    ['curl http://x/ && hey http://x/', false],
    ['bash -c "hey http://x/"', false],
  ])('%s is a hey command: %s', (command, expected) => {
    expect(isHeyCommand(command)).toBe(expected);
  });
});
