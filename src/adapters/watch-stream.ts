import type { IncomingMessage } from 'node:http';
import { KubeApiError, type KubeObject, type WatchEvent } from '../ports/kube.js';

/**
 * Reads a watch response (one JSON event per line) and hands each event to `onEvent`. An `ERROR` event
 * (e.g. 410 Gone when the resourceVersion is too old) rejects with a {@link KubeApiError}, a line that is not
 * JSON with an Error; neither ever throws out of the stream's event handlers.
 */
export function readWatchStream<T extends KubeObject>(res: IncomingMessage, onEvent: (event: WatchEvent<T>) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    let failed = false;
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let newline = buffer.indexOf('\n');
      while (newline >= 0 && !failed) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line !== '') failed = !dispatch(line, onEvent, reject);
        newline = buffer.indexOf('\n');
      }
      if (failed) res.destroy();
    });
    res.on('end', () => resolve());
    // A connection that drops without an orderly end must still end the watch, or the cache would go stale.
    res.on('close', () => (res.complete ? resolve() : reject(new Error('watch connection closed before the end'))));
    res.on('error', (error) => (failed ? undefined : reject(error)));
  });
}

function dispatch<T extends KubeObject>(line: string, onEvent: (event: WatchEvent<T>) => void, reject: (e: Error) => void): boolean {
  let event: { type: string; object: unknown };
  try {
    event = JSON.parse(line) as typeof event;
  } catch {
    // Thrown from a 'data' handler, a parse error would be an uncaught exception and end the process.
    reject(new Error(`the watch stream sent a line that is not JSON: ${line.slice(0, 200)}`));
    return false;
  }
  if (event.type === 'ERROR') {
    const status = event.object as { code?: number; reason?: string; message?: string };
    reject(new KubeApiError(status.code ?? 500, status.reason ?? 'Unknown', status.message ?? 'watch error'));
    return false;
  }
  try {
    onEvent(event as WatchEvent<T>);
  } catch (error) {
    reject(new Error(`a watch event could not be applied: ${String(error)}`));
    return false;
  }
  return true;
}
