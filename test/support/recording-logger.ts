import type { LogFields, Logger } from '../../src/ports/logger.js';

/** One line a {@link RecordingLogger} received, with the fields of its `child` chain merged in. */
export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: LogFields;
}

/** A logger that keeps every line, for tests that assert on what was logged. */
export class RecordingLogger implements Logger {
  constructor(readonly lines: LogLine[] = [], private readonly bound: LogFields = {}) {}

  debug(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'debug', message, fields: { ...this.bound, ...fields } });
  }

  info(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'info', message, fields: { ...this.bound, ...fields } });
  }

  warn(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'warn', message, fields: { ...this.bound, ...fields } });
  }

  error(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'error', message, fields: { ...this.bound, ...fields } });
  }

  child(fields: LogFields): Logger {
    return new RecordingLogger(this.lines, { ...this.bound, ...fields });
  }
}
