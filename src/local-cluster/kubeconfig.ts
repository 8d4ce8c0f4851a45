import { readFileSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { Pki } from './pki.js';

/** Writes an admin kubeconfig with the certificates embedded, readable by client-node and every component. */
export function writeAdminKubeconfig(path: string, server: string, pki: Pki): void {
  const b64 = (file: string): string => readFileSync(file).toString('base64');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'songbird-local', cluster: { server, 'certificate-authority-data': b64(pki.caCert) } }],
    users: [
      {
        name: 'songbird-admin',
        user: { 'client-certificate-data': b64(pki.adminCert), 'client-key-data': b64(pki.adminKey) },
      },
    ],
    contexts: [{ name: 'songbird-local', context: { cluster: 'songbird-local', user: 'songbird-admin' } }],
    'current-context': 'songbird-local',
  };
  writeFileSync(path, stringify(config), { mode: 0o600 });
}
