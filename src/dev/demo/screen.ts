import { Writable } from 'node:stream';

/**
 * The demo's terminal: log lines scroll, and one live line stays at the bottom, redrawn in place. Off a
 * terminal (a pipe, CI) the live line is printed as an ordinary line whenever its text changes, at most once
 * every `quietMs` unless its first 40 characters (release, phase, weight) changed.
 */
export class Screen {
  private live = '';
  private lastPrinted = '';
  private lastPrintedAt = 0;

  constructor(private readonly out: NodeJS.WriteStream, private readonly quietMs = 5000, private readonly now: () => number = Date.now) {}

  private get terminal(): boolean {
    return this.out.isTTY;
  }

  /** Prints `text` (one or more whole lines) above the live line. */
  log(text: string): void {
    const body = text.endsWith('\n') ? text : `${text}\n`;
    if (this.terminal && this.live !== '') this.out.write(`\r\u001b[2K${body}${this.fit(this.live)}`);
    else this.out.write(body);
  }

  /** Replaces the live line. */
  status(line: string): void {
    this.live = line;
    if (this.terminal) {
      this.out.write(`\r\u001b[2K${this.fit(line)}`);
      return;
    }
    const headChanged = line.slice(0, 40) !== this.lastPrinted.slice(0, 40);
    if (line !== this.lastPrinted && (headChanged || this.now() - this.lastPrintedAt >= this.quietMs)) {
      this.out.write(`${line}\n`);
      this.lastPrinted = line;
      this.lastPrintedAt = this.now();
    }
  }

  /** Leaves the live line on screen as an ordinary line and starts a fresh one. */
  settle(): void {
    if (this.terminal && this.live !== '') this.out.write('\n');
    this.live = '';
    this.lastPrinted = '';
  }

  /** A stream whose writes go through {@link log} (for the logger's readable lines). */
  logStream(): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, done): void => {
        this.log(chunk.toString('utf8'));
        done();
      },
    });
  }

  // A line wider than the terminal would wrap, and `\r` would then redraw only its last row.
  private fit(line: string): string {
    const width = this.out.columns;
    return width !== undefined && width > 0 && line.length >= width ? `${line.slice(0, Math.max(0, width - 2))}…` : line;
  }
}
