import type { Readable } from 'node:stream';

/** A body, or why it could not be read. */
export type BodyResult = { ok: true; body: Buffer } | { ok: false; status: 400 | 413; message: string };

/**
 * Reads a request body, but never more than `limit` bytes: once the limit is crossed the stream is paused
 * and left alone, so an oversized body costs at most `limit` plus one chunk of memory.
 */
export function readBody(stream: Readable, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: BodyResult): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        stream.pause();
        done({ ok: false, status: 413, message: `request body larger than ${limit} bytes` });
      } else chunks.push(chunk);
    };
    const onEnd = (): void => done({ ok: true, body: Buffer.concat(chunks, size) });
    const onError = (error: Error): void => done({ ok: false, status: 400, message: `could not read the request body: ${error.message}` });
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}
