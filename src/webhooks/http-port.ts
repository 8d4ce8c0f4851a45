/**
 * The one HTTP operation webhooks and notifiers need: POST a JSON body and read the answer. The port keeps
 * axios (and its agents) out of the callers, so they can be tested against a local server or a fake.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { AxiosError, type AxiosProxyConfig } from 'axios';

/** Options of one POST. */
export interface HttpPostOptions {
  /** Extra request headers; `Content-Type: application/json` is always sent unless overridden here. */
  headers?: Readonly<Record<string, string>>;
  /** Time allowed for the whole exchange (connect, send, answer), in milliseconds. */
  timeoutMs: number;
  /** Accept any server certificate (a webhook's `disableTLS`). */
  insecureSkipVerify?: boolean;
  /** HTTP(S) proxy URL, e.g. `http://user:pass@proxy:3128`; HTTPS targets are tunnelled with CONNECT. */
  proxy?: string;
}

/** The answer to a POST, whatever its status. Header names are lower case. */
export interface HttpResponse {
  status: number;
  body: string;
  headers: Readonly<Record<string, string>>;
}

/**
 * Why a POST got no answer: `timeout` (no complete answer in time), `connection` (refused, reset, DNS) or
 * `request` (the request itself can never work: bad URL, untrusted certificate, too many redirects).
 */
export type HttpErrorKind = 'timeout' | 'connection' | 'request';

/** A POST that got no HTTP answer. Statuses, even 5xx, are answers and never errors. */
export class HttpError extends Error {
  constructor(readonly kind: HttpErrorKind, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

/** POSTs a JSON body. Resolves with any status; rejects only with an {@link HttpError}. */
export interface HttpPost {
  post(url: string, body: unknown, options: HttpPostOptions): Promise<HttpResponse>;
}

/** The axios adapter, plus `close()` to release its pooled connections. */
export interface ClosableHttpPost extends HttpPost {
  close(): void;
}

/** Answers larger than this are refused (default 10 MiB), so a misbehaving endpoint cannot exhaust memory. */
export const defaultMaxResponseBytes = 10 * 1024 * 1024;

/**
 * An {@link HttpPost} on its own axios instance and connection pools (no global axios defaults, no global
 * agents). Redirects are followed (at most 10, as Go's client does). Without `proxy`, the standard
 * `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` environment applies, as it does for Go's default transport.
 */
export function createAxiosHttpPost(opts: { maxResponseBytes?: number } = {}): ClosableHttpPost {
  const agents = {
    http: new HttpAgent({ keepAlive: true }),
    https: new HttpsAgent({ keepAlive: true }),
    insecure: new HttpsAgent({ keepAlive: true, rejectUnauthorized: false }),
  };
  const instance = axios.create({
    validateStatus: () => true,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    maxRedirects: 10,
    maxContentLength: opts.maxResponseBytes ?? defaultMaxResponseBytes,
    httpAgent: agents.http,
  });
  return {
    async post(url, body, options) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), options.timeoutMs);
      try {
        const response = await instance.post<string>(url, JSON.stringify(body), {
          headers: { 'Content-Type': 'application/json', ...options.headers },
          httpsAgent: options.insecureSkipVerify === true ? agents.insecure : agents.https,
          signal: controller.signal,
          ...(options.proxy === undefined ? {} : { proxy: proxyConfig(options.proxy) }),
        });
        return { status: response.status, body: String(response.data ?? ''), headers: stringHeaders(response.headers) };
      } catch (error) {
        throw toHttpError(error, controller.signal.aborted, options.timeoutMs);
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      for (const agent of Object.values(agents)) agent.destroy();
    },
  };
}

/** `http://user:pass@proxy:3128` → axios proxy settings; throws an {@link HttpError} for a bad URL. */
function proxyConfig(proxy: string): AxiosProxyConfig {
  let url: URL;
  try {
    url = new URL(proxy);
  } catch {
    throw new HttpError('request', `invalid proxy URL ${JSON.stringify(proxy)}`);
  }
  const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const auth = url.username === '' ? undefined
    : { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  return { protocol: url.protocol.replace(/:$/, ''), host: url.hostname, port, ...(auth === undefined ? {} : { auth }) };
}

function stringHeaders(headers: object): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') result[name.toLowerCase()] = value;
    else if (Array.isArray(value)) result[name.toLowerCase()] = value.join(', ');
  }
  return result;
}

// Errors retrying cannot fix. parity: go-retryablehttp's DefaultRetryPolicy does not retry a bad URL or
// scheme, an invalid header, too many redirects or an untrusted certificate either.
const requestErrorCodes = new Set([
  AxiosError.ERR_INVALID_URL, AxiosError.ERR_BAD_OPTION, AxiosError.ERR_BAD_OPTION_VALUE, AxiosError.ERR_BAD_REQUEST,
  AxiosError.ERR_BAD_RESPONSE, AxiosError.ERR_NOT_SUPPORT, AxiosError.ERR_FR_TOO_MANY_REDIRECTS,
  'ERR_FR_MAX_BODY_LENGTH_EXCEEDED', 'ERR_INVALID_HTTP_TOKEN', 'ERR_INVALID_CHAR', 'ERR_INVALID_URL',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

function toHttpError(error: unknown, timedOut: boolean, timeoutMs: number): HttpError {
  if (error instanceof HttpError) return error;
  if (timedOut) return new HttpError('timeout', `no answer within ${formatMs(timeoutMs)}`);
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const detail = code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
  return new HttpError(errorKind(error, code), detail);
}

function errorKind(error: unknown, code: string | undefined): HttpErrorKind {
  if (code === AxiosError.ECONNABORTED || code === AxiosError.ETIMEDOUT) return 'timeout';
  if (code !== undefined && requestErrorCodes.has(code)) return 'request';
  // Not from axios: thrown before any I/O (e.g. a URL Node cannot parse).
  return error instanceof AxiosError ? 'connection' : 'request';
}

function errorCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const code = (error as { code?: unknown }).code ?? cause?.code;
  return typeof code === 'string' ? code : undefined;
}

/** `10000` → `10s`, `1500` → `1500ms`. */
export function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
