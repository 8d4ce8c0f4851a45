/**
 * A local adapter of the Kubernetes external metrics API (`external.metrics.k8s.io/v1beta1`) for integration
 * tests: HTTPS on a free loopback port with a self-signed certificate (made with openssl), discovery, and the
 * values a test sets per namespace and metric, filtered by a `key=value` label selector. Every request is
 * recorded, so a test sees what the API server proxied to it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const groupVersion = 'external.metrics.k8s.io/v1beta1';

/** One series of a metric: its labels and value (a quantity, e.g. `990m`). */
export interface ExternalSeries {
  labels: Record<string, string>;
  value: string;
}

/** A running adapter. */
export interface ExternalMetricsServer {
  port: number;
  /** Paths with query strings, as received. */
  requests: string[];
  /** Series by `<namespace>/<metric>`. */
  series: Map<string, ExternalSeries[]>;
  close(): Promise<void>;
}

/** Starts the adapter on 127.0.0.1. */
export async function startExternalMetricsServer(): Promise<ExternalMetricsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'songbird-extmetrics-'));
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tls.key', '-out', 'tls.crt', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { cwd: dir });
  const state = { requests: [] as string[], series: new Map<string, ExternalSeries[]>() };
  const server = createServer({ key: readFileSync(join(dir, 'tls.key')), cert: readFileSync(join(dir, 'tls.crt')) }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    state.requests.push(`${url.pathname}${url.search}`);
    const body = answer(url, state.series);
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' })
      .end(JSON.stringify(body ?? { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    ...state,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => {
        rmSync(dir, { recursive: true, force: true });
        resolve();
      });
    }),
  };
}

function answer(url: URL, series: Map<string, ExternalSeries[]>): object | undefined {
  const prefix = `/apis/${groupVersion}`;
  if (url.pathname === prefix) {
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources: [{ name: '*', singularName: '', namespaced: true, kind: 'ExternalMetricValueList', verbs: ['get'] }] };
  }
  const match = new RegExp(`^${prefix}/namespaces/([^/]+)/([^/]+)$`).exec(url.pathname);
  if (match === null) return undefined;
  const [, namespace, metric] = match as unknown as [string, string, string];
  const wanted = selector(url.searchParams.get('labelSelector') ?? '');
  const items = (series.get(`${namespace}/${metric}`) ?? [])
    .filter((s) => Object.entries(wanted).every(([k, v]) => s.labels[k] === v))
    .map((s) => ({ metricName: metric, metricLabels: s.labels, timestamp: new Date().toISOString(), value: s.value }));
  return { kind: 'ExternalMetricValueList', apiVersion: groupVersion, metadata: {}, items };
}

// Equality selectors only (`a=b,c=d`), which is all the tests send.
function selector(text: string): Record<string, string> {
  return Object.fromEntries(text.split(',').filter((p) => p !== '').map((p) => p.split('=') as [string, string]));
}
