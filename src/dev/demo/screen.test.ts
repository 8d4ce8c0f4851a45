import { describe, expect, it } from 'vitest';
import { Screen } from './screen.js';

/** A stand-in for stdout: what was written, and whether it is a terminal. */
function output(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const out = { text: '', isTTY, columns: 200, write(chunk: string) { out.text += chunk; return true; } };
  return out as unknown as NodeJS.WriteStream & { text: string };
}

describe('the demo screen', () => {
  it('on a terminal redraws the live line in place and prints log lines above it', () => {
    const out = output(true);
    const screen = new Screen(out);
    screen.status('weight 20');
    screen.log('Advance weight 40');
    screen.status('weight 40');
    screen.settle();
    expect(out.text).toBe('\r\u001b[2Kweight 20\r\u001b[2KAdvance weight 40\nweight 20\r\u001b[2Kweight 40\n');
  });

  it('leaves the live line whole when the terminal does not say how wide it is', () => {
    const out = output(true);
    Object.assign(out, { columns: 0 });
    new Screen(out).status('errors 6.0.2  Failed');
    expect(out.text).toBe('\r\u001b[2Kerrors 6.0.2  Failed');
  });

  it('off a terminal prints the live line as a plain line when its head changes, and otherwise at most every quiet period', () => {
    const out = output(false);
    let now = 0;
    const screen = new Screen(out, 5000, () => now);
    screen.status('errors 6.0.2  Progressing  weight 20  requests 10');
    now = 1000;
    screen.status('errors 6.0.2  Progressing  weight 20  requests 20');
    now = 6000;
    screen.status('errors 6.0.2  Progressing  weight 20  requests 60');
    now = 6500;
    screen.status('errors 6.0.2  Failed       weight  0  requests 65');
    expect(out.text.split('\n').filter((l) => l !== '')).toEqual([
      'errors 6.0.2  Progressing  weight 20  requests 10',
      'errors 6.0.2  Progressing  weight 20  requests 60',
      'errors 6.0.2  Failed       weight  0  requests 65',
    ]);
  });
});
