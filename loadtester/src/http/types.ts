import type { IncomingHttpHeaders } from 'node:http';

/** A request as handlers see it: the body already read (and size-capped) by the server. */
export interface LtRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Aborts when the client goes away before the answer is sent. */
  signal: AbortSignal;
}

/** A handler's answer. */
export interface LtResponse {
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** A plain-text answer. */
export function text(status: number, body: string): LtResponse {
  return { status, body, contentType: 'text/plain; charset=utf-8' };
}
