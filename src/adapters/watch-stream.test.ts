import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject, WatchEvent } from '../ports/kube.js';
import { readWatchStream } from './watch-stream.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

/** A loopback server that writes `body` as a watch response (and keeps the connection open unless `end`). */
async function watchResponse(body: string, end: boolean): Promise<IncomingMessage> {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(body);
    if (end) res.end();
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return new Promise((resolve) => get(`http://127.0.0.1:${port}/`, resolve));
}

const added = JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '5' } } });

describe('readWatchStream', () => {
  it('hands each event to the listener and resolves when the server ends the watch', async () => {
    const events: WatchEvent<KubeObject>[] = [];
    await readWatchStream(await watchResponse(`${added}\n${added}\n`, true), (e) => events.push(e));
    expect(events.map((e) => e.object.metadata.name)).toEqual(['a', 'a']);
  });

  it('rejects, and throws nothing out of the stream, when a line is not JSON', async () => {
    const events: WatchEvent<KubeObject>[] = [];
    const read = readWatchStream(await watchResponse(`${added}\n<html>bad gateway</html>\n`, false), (e) => events.push(e));
    await expect(read).rejects.toThrow(/not JSON/);
    expect(events).toHaveLength(1);
  });

  it('rejects when the listener throws on an event, instead of raising an uncaught exception', async () => {
    const read = readWatchStream(await watchResponse(`${added}\n`, false), () => { throw new TypeError('no metadata'); });
    await expect(read).rejects.toThrow(/could not be applied: TypeError: no metadata/);
  });

  it('rejects when the connection drops before the end (a dropped watch)', async () => {
    const res = await watchResponse(`${added}\n`, false);
    const read = readWatchStream(res, () => undefined);
    setTimeout(() => server?.closeAllConnections(), 20);
    await expect(read).rejects.toThrow(/closed before the end|aborted/);
  });
});
