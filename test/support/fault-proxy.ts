import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A TCP front for the API server that one replica talks through, so a test can cut that replica off. */
export interface FaultProxy {
  /** `https://127.0.0.1:<port>`: the API server's certificate names 127.0.0.1, so TLS passes through unchanged. */
  url: string;
  /** Black hole: every byte, either way, on open and new connections, is dropped; requests hang. */
  partition(): void;
  /** Ends the partition; connections that lived through it are reset (their streams lost bytes), new ones work. */
  heal(): void;
  /** As if the replica died: every connection is reset and new ones are refused. */
  kill(): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream?: Socket;
  blackholed: boolean;
}

/** Starts a {@link FaultProxy} in front of `server` (the API server's https URL). */
export async function startFaultProxy(server: string): Promise<FaultProxy> {
  const target = new URL(server);
  let mode: 'open' | 'partitioned' | 'killed' = 'open';
  const pairs = new Set<Pair>();
  const drop = (pair: Pair): void => {
    pair.client.destroy();
    pair.upstream?.destroy();
    pairs.delete(pair);
  };
  const proxy: Server = createServer((client) => {
    client.on('error', () => undefined);
    if (mode === 'killed') {
      client.destroy();
      return;
    }
    const pair: Pair = { client, blackholed: mode === 'partitioned' };
    pairs.add(pair);
    client.on('close', () => drop(pair));
    const upstream = connect(Number(target.port), target.hostname);
    pair.upstream = upstream;
    upstream.on('error', () => drop(pair));
    upstream.on('close', () => drop(pair));
    client.on('data', (chunk) => { if (!pair.blackholed) upstream.write(chunk); });
    upstream.on('data', (chunk) => { if (!pair.blackholed) client.write(chunk); });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    partition: () => {
      mode = 'partitioned';
      for (const pair of pairs) pair.blackholed = true;
    },
    heal: () => {
      mode = 'open';
      for (const pair of [...pairs]) if (pair.blackholed) drop(pair);
    },
    kill: () => {
      mode = 'killed';
      for (const pair of [...pairs]) drop(pair);
    },
    close: () => new Promise((resolve) => {
      for (const pair of [...pairs]) drop(pair);
      proxy.close(() => resolve());
    }),
  };
}
