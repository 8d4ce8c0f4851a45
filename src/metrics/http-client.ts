/**
 * The HTTP port metric providers use, and its axios adapter. Providers never touch axios or `fetch`
 * directly, so tests can hand them a loopback server or a recording fake.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { type AxiosInstance } from 'axios';

/** Options of one request. */
export interface HttpGetOptions {
  /** Request headers; a fresh object per call, never kept by the client. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Deadline for the whole exchange, response body included. */
  readonly timeoutMs: number;
  /** Accept any TLS certificate (the MetricTemplate's `insecureSkipVerify`). */
  readonly insecureSkipVerify?: boolean;
}

/** What came back: any status (the caller decides what an error is) and the body as text. */
export interface HttpResponse {
  readonly status: number;
  readonly body: string;
}

/** GET and POST over HTTP(S). Reject only when no response arrived (connection error, timeout). */
export interface HttpClient {
  get(url: string, options: HttpGetOptions): Promise<HttpResponse>;
  /** POST of a text body (e.g. InfluxDB's Flux query as JSON); set its Content-Type in `headers`. */
  post(url: string, body: string, options: HttpGetOptions): Promise<HttpResponse>;
}

/** An {@link HttpClient} that owns connection pools; `destroy` closes them (at shutdown, in tests). */
export interface DisposableHttpClient extends HttpClient {
  destroy(): void;
}

/** Bodies larger than this are refused; a metric answer is a few hundred bytes. */
const maxBodyBytes = 10 * 1024 * 1024;

/**
 * An {@link HttpClient} over its own axios instance (no global defaults) with keep-alive pools, so that a
 * Prometheus queried every tick reuses its connection. Certificate checks are off only on requests that
 * ask for it, through a separate pool.
 *
 * parity: Flagger pkg/metrics/providers/prometheus.go uses Go's default transport, which also honours the
 * HTTP(S)_PROXY environment variables; axios does the same.
 */
export function createAxiosHttpClient(): DisposableHttpClient {
  const httpAgent = new HttpAgent({ keepAlive: true });
  const httpsAgent = new HttpsAgent({ keepAlive: true });
  let insecureAgent: HttpsAgent | undefined;
  const instance: AxiosInstance = axios.create({
    responseType: 'text',
    // The raw text: the caller parses it, and reports it verbatim when it is not what it expected.
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    maxContentLength: maxBodyBytes,
    httpAgent,
  });
  const send = async (method: 'GET' | 'POST', url: string, body: string | undefined, options: HttpGetOptions): Promise<HttpResponse> => {
    const agent = options.insecureSkipVerify === true
      ? (insecureAgent ??= new HttpsAgent({ keepAlive: true, rejectUnauthorized: false }))
      : httpsAgent;
    try {
      const res = await instance.request<unknown>({
        method,
        url,
        ...(body === undefined ? {} : { data: body }),
        headers: { ...options.headers },
        timeout: options.timeoutMs,
        signal: AbortSignal.timeout(options.timeoutMs),
        httpsAgent: agent,
      });
      return { status: res.status, body: typeof res.data === 'string' ? res.data : (JSON.stringify(res.data) ?? '') };
    } catch (error) {
      throw new Error(describeFailure(method, url, options.timeoutMs, error), { cause: error });
    }
  };
  return {
    get: (url, options) => send('GET', url, undefined, options),
    post: (url, body, options) => send('POST', url, body, options),
    destroy() {
      httpAgent.destroy();
      httpsAgent.destroy();
      insecureAgent?.destroy();
    },
  };
}

// axios reports an aborted request as "canceled"; say what actually happened.
function describeFailure(method: string, url: string, timeoutMs: number, error: unknown): string {
  const safeUrl = withoutQuery(url);
  if (axios.isCancel(error) || (axios.isAxiosError(error) && error.code === 'ECONNABORTED')) {
    return `${method} ${safeUrl} timed out after ${timeoutMs} ms`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `${method} ${safeUrl} failed: ${message}`;
}

// The query string holds the whole PromQL; the message shows the query elsewhere.
function withoutQuery(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? url : url.slice(0, at);
}
