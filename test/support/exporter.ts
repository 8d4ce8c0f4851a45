import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback HTTP server serving Prometheus text exposition rendered fresh on every scrape. */
export interface TestExporter {
  /** `127.0.0.1:<port>`, the form a Prometheus scrape target takes. */
  hostPort: string;
  scrapes(): number;
  close(): Promise<void>;
}

/** Starts an exporter on port 0 whose `/metrics` body is whatever `render()` returns at scrape time. */
export async function startExporter(render: () => string): Promise<TestExporter> {
  let scrapes = 0;
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    scrapes += 1;
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(render());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    hostPort: `127.0.0.1:${port}`,
    scrapes: () => scrapes,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Runs an instant PromQL query and returns the single sample's value (throws unless exactly one series). */
export async function queryScalar(prometheusUrl: string, promql: string): Promise<number> {
  const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { status: string; data: { result: { value: [number, string] }[] } };
  if (body.status !== 'success') throw new Error(`query failed: ${JSON.stringify(body)}`);
  const [only, ...rest] = body.data.result;
  if (only === undefined || rest.length > 0) throw new Error(`expected one series for ${promql}, got ${body.data.result.length}`);
  return Number(only.value[1]);
}
