import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type AgentOptions } from 'node:https';
import type { Cluster, KubeConfig, User } from '@kubernetes/client-node';
import type { Clock } from '../ports/clock.js';
import { CredentialCache, fixedCredential, type Credential, type CredentialSource } from './credential-cache.js';
import { execCredential, type ExecConfig } from './exec-credential.js';
import { tokenFileCredential } from './token-file-credential.js';

/** Request options with the credential they carry, so that a 401 can tell which credential was refused. */
export type AccessRequestOptions = RequestOptions & { headers: Record<string, string>; credential: Credential };

/**
 * How to reach the API server of a KubeConfig's current context, the way kubectl does: `https://` with the
 * cluster's CA, server name and skip-verify setting, or plain `http://` (e.g. `kubectl proxy`); and who to be:
 * client certificate, token, basic auth, token file, exec plugin or the library's auth providers. Credentials
 * that expire (token files, exec plugins) are renewed while the operator runs, never held from start-up on.
 */
export class ClusterAccess {
  readonly server: URL;
  private readonly agent: HttpAgent;
  private readonly headers: Record<string, string>;
  private readonly credentials: CredentialCache;

  constructor(kubeConfig: KubeConfig, clock: Clock) {
    const cluster = kubeConfig.getCurrentCluster();
    if (cluster === null) throw new Error('the kubeconfig has no current cluster');
    const user = kubeConfig.getCurrentUser();
    this.server = new URL(cluster.server);
    if (this.server.protocol !== 'https:' && this.server.protocol !== 'http:') {
      throw new Error(`the kubeconfig's server ${cluster.server} is neither https:// nor http://`);
    }
    this.agent = createAgent(kubeConfig, cluster, user, this.server);
    this.headers = user?.impersonateUser ? { 'Impersonate-User': user.impersonateUser } : {};
    this.credentials = new CredentialCache(credentialSource(kubeConfig, cluster, user, clock), clock);
  }

  /** Options for one request to `path` (below the server URL's own path), with the current credential. */
  async requestOptions(method: string, path: string): Promise<AccessRequestOptions> {
    const credential = await this.credentials.get();
    const options: AccessRequestOptions = {
      method, host: this.server.hostname, port: this.server.port, path: `${this.server.pathname.replace(/\/$/, '')}${path}`,
      headers: { ...this.headers }, agent: this.agent, credential,
    };
    if (credential.authorization !== undefined) options.headers.Authorization = credential.authorization;
    if (credential.clientCertificate !== undefined) Object.assign(options, credential.clientCertificate);
    return options;
  }

  /** After a 401 to `options`: true when a renewed credential differs, so that the request is worth one retry. */
  renewAfterRejection(options: AccessRequestOptions): Promise<boolean> {
    return this.credentials.renewAfterRejection(options.credential);
  }

  /** Sends a request over http or https, as the server URL says. */
  send(options: AccessRequestOptions, onResponse: (res: IncomingMessage) => void): ClientRequest {
    const { credential: _credential, ...plain } = options;
    return this.server.protocol === 'https:' ? httpsRequest(plain, onResponse) : httpRequest(plain, onResponse);
  }
}

/** One keep-alive agent with the cluster's TLS settings (none for http://), or the library's proxy agent. */
function createAgent(kubeConfig: KubeConfig, cluster: Cluster, user: User | null, server: URL): HttpAgent {
  // No cap on sockets: each open watch holds one for up to 5 minutes, and a cap would queue calls behind them.
  const pool = { keepAlive: true };
  if (server.protocol === 'http:' && cluster.proxyUrl === undefined) return new HttpAgent(pool);
  const tls: AgentOptions = {
    ...pool,
    ca: fileOrData(cluster.caFile, cluster.caData),
    cert: fileOrData(user?.certFile, user?.certData),
    key: fileOrData(user?.keyFile, user?.keyData),
    rejectUnauthorized: !cluster.skipTLSVerify,
    servername: cluster.tlsServerName,
  };
  // An agent's options override a request's: an explicit `cert: undefined` would hide an exec plugin's certificate.
  for (const key of Object.keys(tls) as (keyof AgentOptions)[]) if (tls[key] === undefined) delete tls[key];
  if (cluster.proxyUrl !== undefined) return libraryProxyAgent(kubeConfig, cluster, tls);
  return new HttpsAgent(tls);
}

/**
 * `proxy-url` (HTTP CONNECT or SOCKS): client-node builds these agents in its non-public createAgent; reusing it
 * keeps one implementation of proxying instead of a second copy here.
 */
function libraryProxyAgent(kubeConfig: KubeConfig, cluster: Cluster, tls: AgentOptions): HttpAgent {
  const library = kubeConfig as unknown as { createAgent(cluster: Cluster, options: AgentOptions): HttpAgent };
  return library.createAgent(cluster, tls);
}

function fileOrData(file: string | undefined, data: string | undefined): Buffer | undefined {
  if (file !== undefined && file !== '') return readFileSync(file);
  if (data !== undefined && data !== '') return Buffer.from(data, 'base64');
  return undefined;
}

/** The user's credential source, by kubectl's precedence: token, token file, exec, auth provider, basic auth. */
function credentialSource(kubeConfig: KubeConfig, cluster: Cluster, user: User | null, clock: Clock): CredentialSource {
  if (user === null) return fixedCredential(undefined);
  if (user.token) return fixedCredential(`Bearer ${user.token}`);
  const tokenFile = tokenFileOf(user);
  if (tokenFile !== undefined) return tokenFileCredential(tokenFile, clock);
  if (user.exec) return execCredential(user.exec as ExecConfig, execClusterInfo(cluster), clock);
  if (user.authProvider) return libraryAuthProvider(kubeConfig);
  if (user.username) return fixedCredential(`Basic ${Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64')}`);
  return fixedCredential(undefined);
}

/** The token file, which load-kubeconfig.ts records the way client-node records the in-cluster token. */
function tokenFileOf(user: User): string | undefined {
  const config = (user.authProvider as { config?: { tokenFile?: unknown } } | undefined)?.config;
  return typeof config?.tokenFile === 'string' ? config.tokenFile : undefined;
}

function execClusterInfo(cluster: Cluster): Parameters<typeof execCredential>[1] {
  const caData = cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString('base64') : undefined);
  return {
    server: cluster.server, 'certificate-authority-data': caData, 'insecure-skip-tls-verify': cluster.skipTLSVerify,
    'tls-server-name': cluster.tlsServerName,
  };
}

/**
 * `auth-provider` (oidc and the legacy azure/gcp): client-node refreshes these itself, so ask it on every
 * request (refreshAt 0), as the operator did before for every kind of user.
 */
function libraryAuthProvider(kubeConfig: KubeConfig): CredentialSource {
  const library = kubeConfig as unknown as { applyAuthorizationHeader(opts: { headers: Record<string, string> }): Promise<void> };
  return {
    async obtain() {
      const opts = { headers: {} as Record<string, string> };
      await library.applyAuthorizationHeader(opts);
      return { authorization: opts.headers.Authorization, refreshAt: 0 };
    },
  };
}
