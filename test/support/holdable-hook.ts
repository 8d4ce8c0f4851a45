import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A webhook that answers 200 at once, or, while held, keeps every call waiting until released. */
export interface HoldableHook {
  url: string;
  hold(): void;
  /** Answers every waiting call with 200 and stops holding. */
  release(): void;
  /** Calls waiting now. */
  held(): number;
  close(): Promise<void>;
}

export async function startHoldableHook(): Promise<HoldableHook> {
  let holding = false;
  const waiting: ServerResponse[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (holding) waiting.push(res);
      else res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    hold: () => { holding = true; },
    release: () => {
      holding = false;
      for (const res of waiting.splice(0)) res.writeHead(200).end('ok');
    },
    held: () => waiting.length,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
