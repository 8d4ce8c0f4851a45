/**
 * fast-check arbitraries for HTTP requests to the load tester that are wrong in every way a client can be
 * wrong: odd methods and paths, bad or oversized headers, wrong framing (truncated, over- and
 * under-declared bodies, broken chunking), bodies that are not JSON, JSON of the wrong shape or types,
 * hey and ghz commands with negative, huge or malformed numbers, oversized bodies. A few are valid, authenticated
 * gate changes and load tests, so that the task and gate limits are under pressure at the same time.
 */
import fc from 'fast-check';

/** How the body is framed on the wire. */
export type Framing = 'exact' | 'chunked' | 'bad-chunks' | 'over-declared' | 'under-declared' | 'no-length';

/** One request, as raw as the wire allows. */
export interface MalformedRequest {
  method: string;
  path: string;
  headers: readonly (readonly [string, string])[];
  body: Buffer;
  framing: Framing;
  /** True when it carries the right bearer token first (Node keeps the first of repeated Authorization headers). */
  authenticated: boolean;
}

/** What the generator needs to know about the server under test. */
export interface FuzzTarget {
  token: string;
  /** Base URL of a local server the valid load tests may send to. */
  sinkUrl: string;
  /** The server's body cap; oversized bodies are generated just past it. */
  maxBodyBytes: number;
}

const gatePaths = ['/gate/check', '/gate/open', '/gate/close', '/rollback/check', '/rollback/open', '/rollback/close', '/gate/approve', '/gate/halt'];
const oddPaths = [
  '/', '/healthz', '/metrics', '//gate//open', '/gate/open/', '/gate/check?name=x', '/%00', '/..%2f..%2fetc%2fpasswd', '*',
  'http://evil.example/gate/open', '/gate/open#fragment', '/é', '/gate/%E0%A4%A', `/${'a'.repeat(9000)}`, '/any/other/path',
];
const methods = ['POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'CONNECT', 'PROPFIND', 'FOO', 'post', 'G@T'];

const heyFlags = ['-c', '-n', '-q', '-z', '-t', '-cpus', '-m', '-H', '-d', '-D', '-x', '-o', '-h'];
const oddNumbers = ['-5', '0', '1e30', '99999999999999999999', 'NaN', '-1s', '1h', '99999999999h', '1.5', '0x10', '', '٣', '-0', '1e-9'];

/** A hey command line with a few flags set to odd values. */
const heyCommand = fc
  .tuple(fc.array(fc.tuple(fc.constantFrom(...heyFlags), fc.constantFrom(...oddNumbers)), { maxLength: 4 }), fc.constantFrom('http://127.0.0.1:1/', 'ftp://x/', 'not a url', '', '| sh', '$HOME'))
  .map(([flags, url]) => ['hey', ...flags.flat(), url].join(' '));

const ghzFlags = ['-c', '-n', '-q', '-r', '-z', '-x', '-t', '--connections', '--cpus', '-d', '-m', '--call', '--proto', '--protoset', '-i', '--cacert', '-D', '-o'];

/** A ghz command line with a few flags set to odd values. */
const ghzCommand = fc
  .tuple(fc.array(fc.tuple(fc.constantFrom(...ghzFlags), fc.constantFrom(...oddNumbers, '{', '[]', '../x.proto', 'a.B/C')), { maxLength: 4 }), fc.constantFrom('127.0.0.1:1', 'http://x/', '', '| sh', '$HOME'))
  .map(([flags, address]) => ['ghz', '--insecure', ...flags.flat(), address].join(' '));

const wrongValue = fc.oneof(
  fc.constantFrom(null, true, 0, -1, 1e308, -1e308, Number.MAX_SAFE_INTEGER, [], {}, '', 'x'.repeat(300)),
  fc.double(),
  fc.string({ maxLength: 40 }),
  fc.array(fc.integer(), { maxLength: 3 }),
);

/** JSON that parses, with the payload's fields missing, of the wrong type or out of range. */
const wrongShapeJson = fc
  .record(
    {
      name: fc.oneof(fc.constantFrom('podinfo', 'n'.repeat(300)), wrongValue),
      namespace: fc.oneof(fc.constantFrom('test', 's'.repeat(70)), wrongValue),
      phase: fc.oneof(fc.constantFrom('Progressing', 'Succeeded', 'Failed'), wrongValue),
      checksum: fc.oneof(fc.string({ maxLength: 8 }), wrongValue),
      metadata: fc.oneof(
        fc.record({ type: fc.constantFrom('cmd', 'hey', 'ghz', 'bash', 'helm', 'kubectl', 'concord', 'ngrinder', '', '💥'), cmd: fc.oneof(heyCommand, ghzCommand) }, { requiredKeys: [] }),
        fc.dictionary(fc.string({ maxLength: 10 }), wrongValue, { maxKeys: 3 }),
        wrongValue,
      ),
    },
    { requiredKeys: [] },
  )
  .map((value) => JSON.stringify(value));

const notJson = fc.oneof(
  fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('', 'null', 'true', '0', '"s"', '{', '{"name":', '[', '{"name":"a","namespace":"b"', '\u0000\u0001', '1e999999',
    '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"name":"a","namespace":"b","metadata":{}}'),
  fc.integer({ min: 1, max: 40_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc.integer({ min: 1, max: 20_000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
);

function validBodies(target: FuzzTarget): fc.Arbitrary<{ path: string; body: string }> {
  const gate = fc.record({ path: fc.constantFrom(...gatePaths), body: fc.nat(200).map((n) => JSON.stringify({ name: `app${n}`, namespace: 'test', checksum: `r${n % 3}` })) });
  const load = fc.record({
    path: fc.constant('/'),
    body: fc.tuple(fc.boolean(), fc.nat(30)).map(([blocking, n]) =>
      JSON.stringify({
        name: `app${n}`,
        namespace: 'test',
        metadata: blocking ? { type: 'hey', cmd: `hey -n 2 -c 1 ${target.sinkUrl}/${n}` } : { cmd: `hey -z 1s -q 20 -c 2 ${target.sinkUrl}/${n}` },
      }),
    ),
  });
  return fc.oneof(gate, load);
}

function headerArbitrary(target: FuzzTarget): fc.Arbitrary<[string, string]> {
  return fc.oneof(
    fc.constantFrom<[string, string]>(
      ['Authorization', 'Bearer'], ['Authorization', 'Bearer wrong'], ['Authorization', 'Basic Zm9vOmJhcg=='], ['Authorization', `bearer  ${target.token}  x`],
      ['Authorization', `Bearer ${'t'.repeat(20_000)}`], ['Content-Type', 'text/html; charset=utf-9'], ['Content-Length', '-1'],
      ['Content-Length', '99999999999999999999'], ['Content-Length', 'abc'], ['Transfer-Encoding', 'gzip, chunked'], ['Expect', '100-continue'],
      ['Upgrade', 'websocket'], ['Host', ''], ['X-Junk', '\u007f\u0001'], ['Bad Header', 'x'], ['X-Long', 'v'.repeat(70_000)],
    ),
    fc.tuple(fc.stringMatching(/^[A-Za-z-]{1,20}$/), fc.string({ maxLength: 60 })).map(([name, value]): [string, string] => [name, value.replace(/[\r\n]/g, '')]),
  );
}

/** Any request: mostly malformed, some valid and authenticated. */
export function malformedRequest(target: FuzzTarget): fc.Arbitrary<MalformedRequest> {
  const oversized = fc.integer({ min: 1, max: 64 * 1024 }).map((extra) => 'x'.repeat(target.maxBodyBytes + extra));
  const hostile = fc.record({
    path: fc.oneof(fc.constantFrom(...gatePaths), fc.constantFrom(...oddPaths), fc.webPath()),
    body: fc.oneof({ weight: 3, arbitrary: wrongShapeJson }, { weight: 3, arbitrary: notJson }, { weight: 1, arbitrary: oversized }),
  });
  return fc
    .record({
      method: fc.constantFrom(...methods),
      target: fc.oneof({ weight: 4, arbitrary: hostile }, { weight: 1, arbitrary: validBodies(target) }),
      auth: fc.constantFrom('valid', 'none', 'none'),
      headers: fc.array(headerArbitrary(target), { maxLength: 3 }),
      framing: fc.constantFrom<Framing>('exact', 'exact', 'exact', 'chunked', 'bad-chunks', 'over-declared', 'under-declared', 'no-length'),
    })
    .map(({ method, target: { path, body }, auth, headers, framing }) => ({
      method,
      path,
      headers: auth === 'valid' ? [['Authorization', `Bearer ${target.token}`] as const, ...headers] : headers,
      body: Buffer.from(body, 'utf8'),
      framing,
      authenticated: auth === 'valid',
    }));
}
