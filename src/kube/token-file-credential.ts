import { readFile } from 'node:fs/promises';
import type { Clock } from '../ports/clock.js';
import type { CredentialSource } from './credential-cache.js';

/**
 * A token file is re-read at most this often (and at once after a 401). The kubelet rewrites a projected
 * ServiceAccount token when 80% of its lifetime (1 h by default) has passed, so a token read at most a minute
 * ago is still valid for at least the remaining 20% minus that minute. client-go re-reads on the same period.
 */
export const TOKEN_FILE_REREAD_MS = 60_000;

/**
 * Bearer tokens from a file that something else rotates: `users[].user.tokenFile` in a kubeconfig, or the
 * projected ServiceAccount token of a pod (`/var/run/secrets/kubernetes.io/serviceaccount/token`).
 */
export function tokenFileCredential(path: string, clock: Clock): CredentialSource {
  return {
    async obtain() {
      const token = (await readFile(path, 'utf8')).trim();
      if (token === '') throw new Error(`the token file ${path} is empty`);
      return { authorization: `Bearer ${token}`, refreshAt: clock.now() + TOKEN_FILE_REREAD_MS };
    },
  };
}
