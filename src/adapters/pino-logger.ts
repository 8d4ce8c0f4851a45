import { pino, type DestinationStream, type Logger as Pino } from 'pino';
import type { LogFields, Logger } from '../ports/logger.js';

/**
 * JSON logs on stderr (or one readable line per entry with `format: 'console'`). `destination` replaces
 * stderr with another stream that receives the JSON lines (the development entry's readable formatter).
 */
export function pinoLogger(opts: { level: string; format: 'json' | 'console'; destination?: DestinationStream }): Logger {
  const base = pino({
    level: opts.level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  }, opts.destination ?? (opts.format === 'console' ? consoleStream() : pino.destination(2)));
  return wrap(base);
}

function wrap(p: Pino): Logger {
  const log = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: LogFields): void => {
    if (fields === undefined) p[level](message);
    else p[level](fields, message);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: (fields) => wrap(p.child(fields)) };
}

// One line per entry: `12:00:01 info  canary podinfo.test: Initialization done! {…}`.
function consoleStream(): { write(line: string): void } {
  return {
    write(line: string): void {
      const entry = JSON.parse(line) as Record<string, unknown>;
      const { time, level, msg, ...rest } = entry;
      const when = typeof time === 'string' ? time.slice(11, 19) : '';
      const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
      process.stderr.write(`${when} ${String(level).padEnd(5)} ${String(msg)}${extra}\n`);
    },
  };
}
