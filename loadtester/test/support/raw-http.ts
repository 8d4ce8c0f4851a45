/**
 * A raw HTTP/1.1 client over a TCP socket, for requests no well-behaved client would send: it writes the
 * request line, headers and body exactly as framed by a {@link MalformedRequest} and reads whatever comes
 * back until the server closes the connection.
 */
import { connect } from 'node:net';
import type { Framing, MalformedRequest } from './malformed-requests.js';

/** The first answer on the connection, `none` when the server closed without answering, `timeout` when it hung. */
export type RawAnswer = { status: number; body: string } | 'none' | 'timeout';

function framed(framing: Framing, body: Buffer): { headers: string; payload: Buffer } {
  const hex = body.length.toString(16);
  switch (framing) {
    case 'exact':
      return { headers: `Content-Length: ${body.length}\r\n`, payload: body };
    case 'chunked':
      return { headers: 'Transfer-Encoding: chunked\r\n', payload: Buffer.concat([Buffer.from(body.length > 0 ? `${hex}\r\n` : ''), body, Buffer.from(body.length > 0 ? '\r\n0\r\n\r\n' : '0\r\n\r\n')]) };
    case 'bad-chunks':
      return { headers: 'Transfer-Encoding: chunked\r\n', payload: Buffer.concat([Buffer.from('zz\r\n'), body]) };
    case 'over-declared':
      return { headers: `Content-Length: ${body.length + 10}\r\n`, payload: body };
    case 'under-declared':
      return { headers: `Content-Length: ${Math.floor(body.length / 2)}\r\n`, payload: body };
    case 'no-length':
      return { headers: '', payload: body };
  }
}

/** The request's bytes, as sent. */
export function requestBytes(request: MalformedRequest): Buffer {
  const { headers, payload } = framed(request.framing, request.body);
  const extra = request.headers.map(([name, value]) => `${name}: ${value}\r\n`).join('');
  const head = `${request.method} ${request.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}${headers}\r\n`;
  return Buffer.concat([Buffer.from(head, 'utf8'), payload]);
}

/** Sends `request` to 127.0.0.1:`port` and resolves with the first answer (never rejects). */
export function sendRaw(port: number, request: MalformedRequest, timeoutMs: number): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    function finish(outcome?: 'timeout'): void {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome ?? parseAnswer(Buffer.concat(chunks).toString('latin1')));
    }
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => finish());
    // A reset after the answer (the server refusing the rest of a body) is an ordinary end here.
    socket.on('error', () => undefined);
    // A truncated body ends with the client hanging up (its FIN); every other request waits for the answer
    // on an open connection, since Node takes a FIN as the caller going away and cancels blocking work.
    socket.write(requestBytes(request), () => {
      if (request.framing === 'over-declared') socket.end();
    });
  });
}

function parseAnswer(raw: string): RawAnswer {
  // Interim answers (100 Continue to `Expect: 100-continue`) precede the real one.
  const text = raw.replace(/^(?:HTTP\/1\.1 1\d\d[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n)+/, '');
  const match = /^HTTP\/1\.1 (\d{3})[^\r\n]*\r\n/.exec(text);
  if (match === null) return 'none';
  const bodyStart = text.indexOf('\r\n\r\n');
  return { status: Number(match[1]), body: bodyStart < 0 ? '' : text.slice(bodyStart + 4) };
}
