/**
 * Fuzzing the HTTP API with malformed, hostile and oversized bodies (seeded, so a failure replays): the
 * server must answer every one (never crash, never 5xx), start no task, and keep its memory bounded.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzLoadTester } from '../test/support/fuzz-load-tester.js';
import { startHarness, type Harness } from '../test/support/harness.js';

/** mulberry32: a tiny deterministic PRNG. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const paths = ['/', '/gate/check', '/gate/open', '/gate/close', '/rollback/check', '/rollback/open', '/rollback/close', '/any/other/path'];

const valid = { name: 'podinfo', namespace: 'test', phase: 'Progressing', checksum: 'abc', metadata: { type: 'cmd', cmd: 'curl http://x/' } };

/** Bodies that are wrong in one of many ways; none of them asks for a runnable task. */
function hostileBody(next: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const generators: (() => string)[] = [
    () => Buffer.from(Array.from({ length: Math.floor(next() * 512) }, () => Math.floor(next() * 256))).toString('latin1'),
    () => JSON.stringify(valid).slice(0, Math.floor(next() * 80)),
    () => '['.repeat(20_000 + Math.floor(next() * 100_000)),
    () => `{"a":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`,
    () => JSON.stringify({ ...valid, [pick(['name', 'namespace', 'metadata', 'phase'])]: pick([null, 1, true, [], {}, 'x'.repeat(10_000)]) }),
    () => JSON.stringify({ ...valid, metadata: { ...valid.metadata, [pick(['type', 'cmd', 'logCmdOutput'])]: pick([null, 3, {}, []]) } }),
    () => JSON.stringify({ ...valid, metadata: { type: pick(['bash', 'helm', 'kubectl', 'ngrinder', 'concord', '', '💥']), cmd: 'rm -rf /' } }),
    () => JSON.stringify({ ...valid, metadata: { cmd: pick(['hey', 'hey -z', 'hey -c 0 http://127.0.0.1:1/', 'hey -o csv http://127.0.0.1:1/', 'hey "', 'hey http://127.0.0.1:1/ | sh']) } }),
    () => JSON.stringify({ __proto__: { polluted: true }, constructor: { prototype: { x: 1 } }, ...valid, metadata: {} }),
    () => pick(['', 'null', 'true', '0', '"string"', '{}', '{"name":"a"}', '\u0000\u0001']),
  ];
  return pick(generators)();
}

function rawPost(url: string, path: string, body: Buffer | string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Streams `totalBytes` without a Content-Length (chunked), as a hostile client would. */
function streamPost(url: string, totalBytes: number): Promise<number | 'reset'> {
  return new Promise((resolve) => {
    const req = request(`${url}/`, { method: 'POST' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve('reset'));
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    const pump = (): void => {
      while (sent < totalBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ maxBodyBytes: 256 * 1024 });
});

afterAll(async () => {
  await h.close();
});

describe('slow clients', () => {
  it('are cut off when they take longer than the request timeout to send their body', async () => {
    const slow = await startHarness({}, {}, { requestTimeoutMs: 300 });
    try {
      const answer = await new Promise<string>((resolve) => {
        const socket = connect(Number(new URL(slow.url).port), '127.0.0.1', () => {
          socket.write('POST /gate/open HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{');
        });
        let received = '';
        socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
        socket.on('close', () => resolve(received));
      });
      expect(answer).toContain('408');
    } finally {
      await slow.close();
    }
  });
});

describe('requests the HTTP parser refuses', () => {
  const raw = (bytes: string): Promise<string> =>
    new Promise((resolve) => {
      const socket = connect(Number(new URL(h.url).port), '127.0.0.1', () => socket.write(bytes));
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      socket.on('close', () => resolve(received));
      socket.on('error', () => undefined);
    });
  const openConnections = (): Promise<number> =>
    new Promise((resolve, reject) => h.loadTester.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));

  it('answers a malformed request with 400 naming the problem, where Node alone sends a bare 400', async () => {
    const answer = await raw('POST /gate/open HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer).toContain('malformed request (HPE_INVALID_CONTENT_LENGTH)');
  });

  it('answers oversized headers with 431', async () => {
    expect(await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'v'.repeat(20_000)}\r\n\r\n`)).toContain('431 Request Header Fields Too Large');
  });

  it('answers CONNECT with 405 and frees the connection even when the client keeps its side open', async () => {
    const socket = connect(Number(new URL(h.url).port), '127.0.0.1');
    const answer = await new Promise<string>((resolve) => {
      socket.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
      socket.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1')));
    });
    expect(answer).toContain('405 Method Not Allowed');
    const deadline = Date.now() + 5000;
    while ((await openConnections()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await openConnections()).toBe(0);
    socket.destroy();
  });
});

describe('fuzzing the HTTP API', () => {
  it('answers 300 seeded hostile bodies on every endpoint without a 5xx, starts no task, and stays healthy', async () => {
    const next = random(20_260_101);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const path = paths[i % paths.length] ?? '/';
      const status = await rawPost(h.url, path, hostileBody(next));
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      // Some mutations are still valid gate payloads (a 200/202 there is right); none is a runnable task.
      expect(status, `request ${i} to ${path}`).toBeLessThan(500);
      expect(status, `request ${i} to ${path}`).toBeGreaterThanOrEqual(['/', '/any/other/path'].includes(path) ? 400 : 200);
    }
    expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([400, 403]));
    expect(await h.get('/healthz')).toEqual({ status: 200, body: 'OK' });
    expect(h.loadTester.runner.size).toBe(0);
  });

  it('answers 1000 generated malformed requests (methods, paths, headers, framing, bodies) within its contract', async () => {
    // The long form, 10,000 requests, runs in `npm run bench:reliability` (loadtester-fuzz).
    const report = await fuzzLoadTester({ requests: 1000, concurrency: 8, seed: 20_261_205 });
    expect(report.requests).toBe(1000);
    expect(report.mostTasksSeen).toBeLessThanOrEqual(report.maxTasks);
    // The sample reaches every layer: the parser (400, 431), authentication (401), the body cap (413) and handlers.
    expect(Object.keys(report.statuses)).toEqual(expect.arrayContaining(['400', '401', '413', '431', '202']));
  }, 60_000);

  it('refuses a declared oversized body with 413 before reading it', async () => {
    expect(await rawPost(h.url, '/gate/open', Buffer.alloc(300 * 1024, 0x20))).toBe(413);
  });

  it('cuts off 50 MiB streamed without a length, with bounded memory', async () => {
    const before = process.memoryUsage().rss;
    const outcome = await streamPost(h.url, 50 * 1024 * 1024);
    expect([413, 'reset']).toContain(outcome);
    // The server keeps at most the 256 KiB cap of the body; allow for test-process noise, not for 50 MiB.
    expect(process.memoryUsage().rss - before).toBeLessThan(40 * 1024 * 1024);
    expect(await h.get('/healthz')).toEqual({ status: 200, body: 'OK' });
  });
});
