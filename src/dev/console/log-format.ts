import { pinoLogger } from '../../adapters/pino-logger.js';
import type { Logger } from '../../ports/logger.js';
import pinoPretty, { type MessageFormatFunc, type PrettyOptions } from 'pino-pretty';

/** How the development entry prints its logs: readable lines (coloured or not) or Flagger's JSON lines. */
export type DevLogFormat = { kind: 'pretty'; colour: boolean } | { kind: 'json' };

/** Width of the canary column: `podinfo.test` and most `name.namespace` pairs fit, longer ones push the message right. */
export const canaryColumn = 24;

/**
 * `--log-format json` asks for JSON; otherwise a terminal gets readable lines and anything else (a pipe, a
 * file, a log collector) gets JSON. Colour only on a terminal, and never with `NO_COLOR` set (no-color.org).
 */
export function chooseLogFormat(asked: 'json' | 'pretty' | undefined, stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): DevLogFormat {
  const terminal = stream.isTTY === true;
  if (asked === 'json' || (asked === undefined && !terminal)) return { kind: 'json' };
  return { kind: 'pretty', colour: terminal && (env.NO_COLOR ?? '') === '' };
}

/**
 * pino-pretty set up for one aligned line per entry, e.g.
 *
 *   10:02:03.123 INFO  podinfo.test             Advance podinfo.test canary weight 20 {"reason":"…"}
 *   10:02:04.001 WARN                           list failed {"resource":"deployments"}
 *
 * time (UTC, to the millisecond), level padded to five, the canary's `name.namespace` column, the message,
 * then the remaining fields as compact JSON.
 */
export function prettyOptions(colour: boolean, destination: NodeJS.WritableStream | number): PrettyOptions {
  return {
    colorize: colour,
    singleLine: true,
    sync: true,
    destination,
    // Time, level and canary are placed by messageFormat; left out here, pino-pretty adds no prefix of its own.
    ignore: 'time,level,canary',
    customColors: 'message:reset,greyMessage:gray',
    messageFormat: (log, messageKey, _levelLabel, { colors }) => {
      const time = typeof log.time === 'string' ? log.time.slice(11, 23) : '';
      const level = String(log.level).toUpperCase().padEnd(5);
      const canary = typeof log.canary === 'string' ? log.canary : '';
      return `${colors.gray(time)} ${levelColour(colors, String(log.level))(level)} ${colors.bold(canary.padEnd(canaryColumn))} ${String(log[messageKey])}`;
    },
  };
}

type Colors = Parameters<MessageFormatFunc>[3]['colors'];

function levelColour(colors: Colors, level: string): (text: string) => string {
  switch (level) {
    case 'error': case 'fatal': return colors.red;
    case 'warn': return colors.yellow;
    case 'debug': case 'trace': return colors.blue;
    default: return colors.green;
  }
}

/** The development entry's logger: readable lines or JSON on `destination` (stderr by default). */
export function devLogger(opts: { level: string; format: DevLogFormat; destination?: NodeJS.WritableStream }): Logger {
  if (opts.format.kind === 'json') return pinoLogger({ level: opts.level, format: 'json', ...(opts.destination === undefined ? {} : { destination: opts.destination }) });
  return pinoLogger({ level: opts.level, format: 'console', destination: pinoPretty(prettyOptions(opts.format.colour, opts.destination ?? 2)) });
}
