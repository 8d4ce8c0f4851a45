import { get, request, type ClientRequest } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../adapters/system-clock.js';
import { silentLogger } from '../ports/logger.js';
import type { CanaryObject } from './web-view-model.js';
import { startWebView, type CanarySource, type WebView } from './web-view.js';

/** Canaries in memory, with the cache's change notification. */
class MemorySource implements CanarySource {
  private readonly objects = new Map<string, CanaryObject>();
  private readonly listeners = new Set<() => void>();
  listeners_(): number { return this.listeners.size; }
  list(): CanaryObject[] { return [...this.objects.values()]; }
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  put(name: string, status: Record<string, unknown>): void {
    this.objects.set(name, { metadata: { name, namespace: 'apps' }, status });
    for (const l of this.listeners) l();
  }
}

/** One event-stream connection: every `canaries` event's rows and every heartbeat, as they arrive. */
interface Stream { status: number; rows: string[]; heartbeats: number; request: ClientRequest }

function openStream(base: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = get(`${base}/events`, (res) => {
      const stream: Stream = { status: res.statusCode ?? 0, rows: [], heartbeats: 0, request: req };
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (frame.startsWith(': heartbeat')) stream.heartbeats += 1;
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (frame.startsWith('event: canaries') && data !== undefined) stream.rows.push((JSON.parse(data) as { html: string }).html);
        }
      });
      res.on('error', () => undefined);
      resolve(stream);
    });
    req.on('error', reject);
  });
}

async function until(what: string, check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the web view server', () => {
  let view: WebView | undefined;
  const streams: Stream[] = [];
  afterEach(async () => {
    for (const s of streams.splice(0)) s.request.destroy();
    await view?.close();
    view = undefined;
  });

  async function start(source: CanarySource, opts: { heartbeatMs?: number; maxClients?: number; maxQueuedBytes?: number } = {}): Promise<string> {
    view = await startWebView({ port: 0, host: '127.0.0.1', source, clock: systemClock, logger: silentLogger, coalesceMs: 20, ...opts });
    return `http://127.0.0.1:${view.port}`;
  }

  async function stream(base: string): Promise<Stream> {
    const s = await openStream(base);
    streams.push(s);
    return s;
  }

  it('serves the page with the rows, escaped, under a CSP that allows only its own nonce', async () => {
    const source = new MemorySource();
    source.put('podinfo', { phase: 'Failed', conditions: [{ type: 'Ready', status: 'False', reason: 'Failed', message: '<script>alert(1)</script>' }] });
    const base = await start(source);
    const res = await fetch(`${base}/`);
    const html = await res.text();
    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(nonce).toBeDefined();
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(csp).toContain(`default-src 'none'`);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html.match(/<script/g)).toHaveLength(1);
    const again = await fetch(`${base}/`);
    expect(again.headers.get('content-security-policy')).not.toBe(csp);
  });

  it('sends the rows to every client at once, and again after each change', async () => {
    const source = new MemorySource();
    source.put('podinfo', { phase: 'Progressing', canaryWeight: 10 });
    const base = await start(source);
    const [a, b] = [await stream(base), await stream(base)];
    await until('the first rows on both streams', () => a.rows.length === 1 && b.rows.length === 1);
    expect(a.status).toBe(200);
    expect(a.rows[0]).toContain('<td class="weight">10%</td>');
    expect(view?.clients()).toBe(2);

    source.put('podinfo', { phase: 'Progressing', canaryWeight: 20 });
    await until('the change on both streams', () => a.rows.length === 2 && b.rows.length === 2);
    expect(a.rows[1]).toContain('<td class="weight">20%</td>');
    expect(b.rows[1]).toBe(a.rows[1]);
  });

  it('sends changes that arrive together as one update', async () => {
    const source = new MemorySource();
    const base = await start(source);
    const s = await stream(base);
    await until('the first rows', () => s.rows.length === 1);
    for (const weight of [10, 20, 30]) source.put('podinfo', { phase: 'Progressing', canaryWeight: weight });
    await until('the update', () => s.rows.length === 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(s.rows).toHaveLength(2);
    expect(s.rows[1]).toContain('30%');
  });

  it('forgets a client that disconnects and keeps serving the others', async () => {
    const source = new MemorySource();
    const base = await start(source);
    const [gone, stays] = [await stream(base), await stream(base)];
    await until('two clients', () => view?.clients() === 2 && gone.rows.length === 1);
    gone.request.destroy();
    await until('one client left', () => view?.clients() === 1);
    source.put('podinfo', { phase: 'Succeeded' });
    await until('the update on the client left', () => stays.rows.length === 2);
    expect(gone.rows).toHaveLength(1);
    stays.request.destroy();
    await until('no client left', () => view?.clients() === 0);
  });

  it('sends a heartbeat to idle streams', async () => {
    const base = await start(new MemorySource(), { heartbeatMs: 30 });
    const s = await stream(base);
    await until('two heartbeats', () => s.heartbeats >= 2);
  });

  it('drops a client that stops reading instead of buffering for it without end', async () => {
    const source = new MemorySource();
    const base = await start(source, { maxQueuedBytes: 64 * 1024 });
    const socket = connect(Number(new URL(base).port), '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write('GET /events HTTP/1.1\r\nhost: x\r\n\r\n');
    socket.pause();
    await until('the client', () => view?.clients() === 1);
    // Each update carries every row so far (~1 KB each): the socket buffers fill, then the queue passes the limit.
    const message = 'x'.repeat(1000);
    for (let i = 0; i < 100 && view?.clients() === 1; i++) {
      source.put(`c${i}`, { phase: 'Failed', conditions: [{ type: 'Ready', status: 'False', message }] });
      await new Promise((r) => setTimeout(r, 25));
    }
    await until('the slow client dropped', () => view?.clients() === 0);
    socket.destroy();
  });

  it('refuses streams beyond its limit with 503', async () => {
    const base = await start(new MemorySource(), { maxClients: 1 });
    await stream(base);
    await until('one client', () => view?.clients() === 1);
    expect((await stream(base)).status).toBe(503);
  });

  it('is read-only: every method but GET and HEAD is refused', async () => {
    const base = await start(new MemorySource());
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const res = await fetch(`${base}/`, { method });
      expect([method, res.status, res.headers.get('allow')]).toEqual([method, 405, 'GET, HEAD']);
    }
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it('ends open streams and stops listening to the cache when closed', async () => {
    const source = new MemorySource();
    const base = await start(source);
    const s = await stream(base);
    await until('the first rows', () => s.rows.length === 1);
    const ended = new Promise<void>((resolve) => s.request.on('close', () => resolve()));
    await view?.close();
    view = undefined;
    await ended;
    expect(source.listeners_()).toBe(0);
    await expect(new Promise((resolve, reject) => request(`${base}/`, resolve).on('error', reject).end())).rejects.toThrow(/ECONNREFUSED/);
  });
});
