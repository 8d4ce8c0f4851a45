import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readBody } from './read-body.js';

describe('reading request bodies', () => {
  it('returns the whole body under the limit', async () => {
    expect(await readBody(Readable.from([Buffer.from('ab'), Buffer.from('cd')]), 10)).toEqual({ ok: true, body: Buffer.from('abcd') });
  });

  it('stops reading an endless body just past the limit (bounded memory) and answers 413', async () => {
    let pulled = 0;
    const endless = new Readable({
      read() {
        pulled++;
        this.push(Buffer.alloc(16 * 1024, 1));
      },
    });
    const result = await readBody(endless, 64 * 1024);
    expect(result).toMatchObject({ ok: false, status: 413 });
    // 64 KiB is four 16 KiB chunks; the fifth crosses the limit. A few more may be buffered, never all.
    expect(pulled).toBeLessThan(10);
    endless.destroy();
  });

  it('answers 400 when the stream fails', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('socket hang up'));
      },
    });
    expect(await readBody(failing, 10)).toEqual({ ok: false, status: 400, message: 'could not read the request body: socket hang up' });
  });
});
