import { pino } from 'pino';

/** Structured logging as a port: a context object first, then the message (pino's argument order). */
export interface Logger {
  debug(context: object, message: string): void;
  info(context: object, message: string): void;
  warn(context: object, message: string): void;
  error(context: object, message: string): void;
}

/** Log levels the `--log-level` flag accepts. */
export const logLevels = ['debug', 'info', 'warn', 'error'] as const;

/** One of {@link logLevels}. */
export type LogLevel = (typeof logLevels)[number];

/** A JSON logger on stdout (pino), the load tester's production logger. */
export function pinoLogger(level: LogLevel): Logger {
  return pino({ level, base: { component: 'songbird-loadtester' } });
}

/** A logger that drops everything, for tests and tools that report through other means. */
export function silentLogger(): Logger {
  const drop = (): void => undefined;
  return { debug: drop, info: drop, warn: drop, error: drop };
}
