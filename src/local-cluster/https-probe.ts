import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import type { Pki } from './pki.js';

/** Result of one HTTPS GET against the local apiserver. */
export interface ProbeResult {
  status: number;
  body: string;
}

/** GETs a path on the local apiserver with the admin client certificate. */
export function apiserverGet(baseUrl: string, path: string, pki: Pki, timeoutMs = 5000): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, baseUrl),
      {
        method: 'GET',
        ca: readFileSync(pki.caCert),
        cert: readFileSync(pki.adminCert),
        key: readFileSync(pki.adminKey),
        timeout: timeoutMs,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}
