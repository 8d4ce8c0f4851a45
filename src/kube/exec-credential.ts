import { spawn } from 'node:child_process';
import type { Clock } from '../ports/clock.js';
import type { Credential, CredentialSource } from './credential-cache.js';

/** `users[].user.exec` of a kubeconfig (e.g. `aws eks get-token`, `gke-gcloud-auth-plugin`). */
export interface ExecConfig {
  apiVersion?: string;
  command?: string;
  args?: string[];
  env?: { name: string; value: string }[] | null;
  interactiveMode?: string;
  provideClusterInfo?: boolean;
  installHint?: string;
}

/** The cluster as `KUBERNETES_EXEC_INFO` describes it to a plugin that sets `provideClusterInfo`. */
export interface ExecClusterInfo {
  server: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
}

const SUPPORTED_API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];
/** A plugin that has not answered after this long is killed and the request fails (the next one runs it again). */
const PLUGIN_TIMEOUT_MS = 60_000;
/**
 * A credential is renewed this long before its expirationTimestamp, so that a request sent just before the
 * expiry does not arrive just after it. Example: expiry 12:15:00 → the plugin runs again from 12:14:30 on.
 */
export const EXPIRY_MARGIN_MS = 30_000;

/** Credentials from an exec plugin, run again when the last one expires or is refused. */
export function execCredential(exec: ExecConfig, cluster: ExecClusterInfo, clock: Clock): CredentialSource {
  const { command, apiVersion } = checkExecConfig(exec);
  return {
    async obtain() {
      const stdout = await runPlugin(command, exec, execInfo(apiVersion, exec, cluster));
      return parseExecCredential(stdout, apiVersion, clock.now());
    },
  };
}

function checkExecConfig(exec: ExecConfig): { command: string; apiVersion: string } {
  if (exec.command === undefined || exec.command === '') throw new Error('users[].user.exec.command is missing in the kubeconfig');
  if (exec.apiVersion === undefined || !SUPPORTED_API_VERSIONS.includes(exec.apiVersion)) {
    throw new Error(`users[].user.exec.apiVersion must be one of ${SUPPORTED_API_VERSIONS.join(', ')}, got ${String(exec.apiVersion)}`);
  }
  if (exec.interactiveMode === 'Always') {
    throw new Error(`the exec plugin ${exec.command} needs a terminal (interactiveMode: Always), which the operator does not have`);
  }
  return { command: exec.command, apiVersion: exec.apiVersion };
}

function execInfo(apiVersion: string, exec: ExecConfig, cluster: ExecClusterInfo): string {
  const spec = exec.provideClusterInfo === true ? { interactive: false, cluster } : { interactive: false };
  return JSON.stringify({ apiVersion, kind: 'ExecCredential', spec });
}

/**
 * Reads a plugin's ExecCredential. Example: `{"apiVersion":"client.authentication.k8s.io/v1",
 * "kind":"ExecCredential","status":{"token":"k8s-aws-v1.abc","expirationTimestamp":"2026-01-01T00:15:00Z"}}`
 * → `Bearer k8s-aws-v1.abc`, renewed from 00:14:30.
 */
export function parseExecCredential(stdout: string, apiVersion: string, now: number): Credential {
  let parsed: { apiVersion?: string; kind?: string; status?: Record<string, unknown> };
  try {
    parsed = JSON.parse(stdout) as typeof parsed;
  } catch {
    throw new Error(`the exec plugin printed no ExecCredential JSON: ${stdout.slice(0, 200)}`);
  }
  if (parsed.kind !== 'ExecCredential' || parsed.apiVersion !== apiVersion) {
    throw new Error(`the exec plugin printed ${String(parsed.apiVersion)} ${String(parsed.kind)}, expected ${apiVersion} ExecCredential`);
  }
  const status = parsed.status ?? {};
  const expiresAt = expiry(status.expirationTimestamp);
  const refreshAt = refreshTime(expiresAt, now);
  if (typeof status.token === 'string' && status.token !== '') return { authorization: `Bearer ${status.token}`, refreshAt };
  if (typeof status.clientCertificateData === 'string' && typeof status.clientKeyData === 'string') {
    return { clientCertificate: { cert: status.clientCertificateData, key: status.clientKeyData }, refreshAt };
  }
  throw new Error('the exec plugin returned neither status.token nor status.clientCertificateData with clientKeyData');
}

function expiry(timestamp: unknown): number | undefined {
  if (timestamp === undefined || timestamp === null || timestamp === '') return undefined;
  const at = typeof timestamp === 'string' ? Date.parse(timestamp) : NaN;
  if (Number.isNaN(at)) throw new Error(`the exec plugin returned an invalid status.expirationTimestamp: ${JSON.stringify(timestamp)}`);
  return at;
}

/**
 * When to run the plugin again: {@link EXPIRY_MARGIN_MS} before the expiry, or at the expiry itself when the
 * credential is already within that margin (plugins such as gke-gcloud-auth-plugin hand out their own cached
 * token until it expires; renewing early then would run the plugin on every request). Without an expiry, the
 * credential is kept until the API server refuses it, as kubectl does.
 */
export function refreshTime(expiresAt: number | undefined, now: number): number {
  if (expiresAt === undefined) return Infinity;
  const early = expiresAt - EXPIRY_MARGIN_MS;
  return early > now ? early : expiresAt;
}

function runPlugin(command: string, exec: ExecConfig, info: string): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, KUBERNETES_EXEC_INFO: info };
  for (const { name, value } of exec.env ?? []) env[name] = value;
  return new Promise((resolve, reject) => {
    const child = spawn(command, exec.args ?? [], { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: PLUGIN_TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      const hint = error.code === 'ENOENT' && exec.installHint !== undefined ? `: ${exec.installHint}` : '';
      reject(new Error(`could not run the exec plugin ${command} (${error.message})${hint}`));
    });
    child.on('close', (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`the exec plugin ${command} failed (${signal ?? `exit ${String(code)}`}): ${stderr.trim().slice(0, 500)}`));
    });
  });
}
