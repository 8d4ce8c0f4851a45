/**
 * The load tester's configuration: command-line flags (Flagger's single-dash spellings such as
 * `-port=8080 -timeout=1h` are accepted too) and the few environment variables it reads. This is the only
 * module that looks at the environment.
 */
import { Command, CommanderError, Option } from 'commander';
import { z } from 'zod';
import { defaultMaxGates } from './gates/gate-records.js';
import { parseGoDuration } from './hey/go-duration.js';
import { defaultLoadLimits, type LoadLimits } from './hey/limits.js';
import { logLevels, type LogLevel } from './ports/logger.js';

/** Where gates are kept. */
export type GateStoreKind = 'memory' | 'file' | 'configmap';

/** Parsed configuration. */
export interface LoadTesterConfig {
  port: number;
  host: string;
  /** Upper bound on any task's run time (`--timeout`, Flagger's default 1h). */
  timeoutMs: number;
  namespaceRegexp: RegExp | undefined;
  tokenFile: string | undefined;
  /** Token from `SONGBIRD_LOADTESTER_TOKEN`, used when no `--token-file` is given. */
  tokenFromEnv: string | undefined;
  enableShell: boolean;
  allowCommands: string[];
  maxTasks: number;
  maxBodyBytes: number;
  /** The largest load one hey task may ask for (`--max-connections`, `--max-rate`, `--max-duration`, `--max-requests`). */
  loadLimits: LoadLimits;
  /** Open gates held at most (`--max-gates`). */
  maxGates: number;
  gateStore: GateStoreKind;
  gateFile: string;
  gateConfigMap: string;
  gateNamespace: string | undefined;
  gateAutoClose: boolean;
  bodyDir: string | undefined;
  /** Folder ghz's `--proto`/`--protoset` files may be read from (`--proto-dir`). */
  protoDir: string | undefined;
  /** HTTP proxy for hey commands that give no `-x` (`--proxy`), e.g. a local data plane standing in for cluster DNS. */
  proxy: URL | undefined;
  logLevel: LogLevel;
}

/** The configuration, or a message for the operator (the process then exits with status 2). */
export type ConfigResult = { ok: true; config: LoadTesterConfig } | { ok: false; message: string; exitCode: number };

const optionsSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535),
  host: z.string().min(1),
  timeout: z.string(),
  namespaceRegexp: z.string().optional(),
  tokenFile: z.string().optional(),
  enableShell: z.boolean(),
  allowCommand: z.array(z.string()),
  maxTasks: z.coerce.number().int().min(1),
  maxBodyBytes: z.coerce.number().int().min(1024),
  maxConnections: z.coerce.number().int().min(1),
  maxRate: z.coerce.number().positive(),
  maxDuration: z.string(),
  maxRequests: z.coerce.number().int().min(1),
  maxGates: z.coerce.number().int().min(1),
  gateStore: z.enum(['auto', 'memory', 'file', 'configmap']),
  gateFile: z.string().min(1),
  gateConfigmap: z.string().min(1),
  gateNamespace: z.string().optional(),
  gateAutoClose: z.boolean(),
  bodyDir: z.string().optional(),
  protoDir: z.string().optional(),
  proxy: z.string().optional(),
  logLevel: z.enum(logLevels),
});

function program(): Command {
  return new Command('songbird-loadtester')
    .description("Songbird's load tester: Flagger-compatible webhooks, a built-in hey, persistent gates")
    .option('--port <port>', 'port to listen on', '9090')
    .option('--host <address>', 'address to listen on', '0.0.0.0')
    .option('--timeout <duration>', 'longest a task may run (Go duration)', '1h')
    .option('--namespace-regexp <regexp>', 'only accept payloads whose namespace matches')
    .option('--token-file <path>', 'require "Authorization: Bearer <token>" on every gate and task endpoint')
    .option('--enable-shell', 'allow cmd/bash/helm/kubectl tasks that start processes', false)
    .option('--allow-command <program...>', 'programs shell tasks may run (bash or sh permit any; * for all)', [])
    .option('--max-tasks <n>', 'tasks (background and blocking) running at once before answering 429', '32')
    .option('--max-body-bytes <n>', 'largest request body accepted (413 beyond)', String(1024 * 1024))
    .option('--max-connections <n>', "most connections (hey's -c) or concurrent calls (ghz's -c) of one load test", String(defaultLoadLimits.maxConnections))
    .option('--max-rate <n>', 'most requests per second (hey: -q × -c, ghz: --rps) of one load test; no rate runs at this rate', String(defaultLoadLimits.maxRate))
    .option('--max-duration <duration>', 'longest load test (-z, Go duration)', '10m')
    .option('--max-requests <n>', 'most requests (-n) of one load test', String(defaultLoadLimits.maxRequests))
    .option('--max-gates <n>', 'most open gates held (400 beyond)', String(defaultMaxGates))
    .addOption(new Option('--gate-store <kind>', 'where gates are kept').choices(['auto', 'memory', 'file', 'configmap']).default('auto'))
    .option('--gate-file <path>', 'file for --gate-store file', 'songbird-loadtester-gates.json')
    .option('--gate-configmap <name>', 'ConfigMap for --gate-store configmap', 'songbird-loadtester-gates')
    .option('--gate-namespace <namespace>', "namespace of that ConfigMap (default: the pod's own)")
    .option('--gate-auto-close', 'an opened gate approves only the release it is first checked for', false)
    .option('--body-dir <folder>', "folder hey's -D files may be read from (default: -D refused)")
    .option('--proto-dir <folder>', "folder ghz's --proto/--protoset files may be read from (default: refused; the health check needs none)")
    .option('--proxy <url>', 'HTTP proxy for hey commands without -x (default: none)')
    .addOption(new Option('--log-level <level>', 'log level').choices(logLevels).default('info'))
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
}

const longNames = new Set(program().options.map((option) => option.long?.slice(2) ?? ''));

/** Rewrites Flagger's Go-style `-port=8080` into `--port=8080`; single-letter and unknown words are kept. */
export function normaliseArgs(args: readonly string[]): string[] {
  return args.map((arg) => {
    const match = /^-([a-z][a-z-]+)(=.*)?$/.exec(arg);
    return match !== null && longNames.has(match[1] ?? '') ? `-${arg}` : arg;
  });
}

/** Parses the command line (`args` without node and script) and the environment. */
export function parseConfig(args: readonly string[], env: Readonly<Record<string, string | undefined>>): ConfigResult {
  const command = program();
  try {
    command.parse(normaliseArgs(args), { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      const help = error.code === 'commander.helpDisplayed' || error.code === 'commander.help';
      return { ok: false, message: help ? command.helpInformation() : error.message, exitCode: help ? 0 : 2 };
    }
    throw error;
  }
  const parsed = optionsSchema.safeParse(command.opts());
  if (!parsed.success) return { ok: false, message: z.prettifyError(parsed.error), exitCode: 2 };
  return build(parsed.data, env);
}

/** Node timers hold at most 2^31 − 1 ms (24.8 days); a longer one fires at once instead. */
const longestTimerMs = 2 ** 31 - 1;

/** `--timeout` and `--max-duration` in milliseconds, or the message refusing them. */
function durations(options: z.infer<typeof optionsSchema>): { timeoutMs: number; maxDurationMs: number } | string {
  const timeoutMs = parseGoDuration(options.timeout);
  if (timeoutMs === undefined || timeoutMs <= 0) return `--timeout ${options.timeout} is not a positive duration`;
  if (timeoutMs > longestTimerMs) return `--timeout ${options.timeout} is longer than the longest timer (24 days)`;
  const maxDurationMs = parseGoDuration(options.maxDuration);
  if (maxDurationMs === undefined || maxDurationMs <= 0) return `--max-duration ${options.maxDuration} is not a positive duration`;
  // A load test is a task, so --timeout would cut it short anyway: say so at start rather than mid-run.
  if (maxDurationMs > timeoutMs) return `--max-duration ${options.maxDuration} is longer than --timeout ${options.timeout}, which ends every task`;
  return { timeoutMs, maxDurationMs };
}

function build(options: z.infer<typeof optionsSchema>, env: Readonly<Record<string, string | undefined>>): ConfigResult {
  const times = durations(options);
  if (typeof times === 'string') return { ok: false, message: times, exitCode: 2 };
  const { timeoutMs, maxDurationMs } = times;
  let namespaceRegexp: RegExp | undefined;
  try {
    namespaceRegexp = options.namespaceRegexp === undefined || options.namespaceRegexp === '' ? undefined : new RegExp(options.namespaceRegexp);
  } catch (error) {
    return { ok: false, message: `--namespace-regexp: ${(error as Error).message}`, exitCode: 2 };
  }
  const proxy = proxyUrl(options.proxy);
  if (typeof proxy === 'string') return { ok: false, message: proxy, exitCode: 2 };
  const inCluster = env.KUBERNETES_SERVICE_HOST !== undefined;
  const config: LoadTesterConfig = {
    port: options.port,
    host: options.host,
    timeoutMs,
    namespaceRegexp,
    tokenFile: options.tokenFile,
    tokenFromEnv: emptyToUndefined(env.SONGBIRD_LOADTESTER_TOKEN),
    enableShell: options.enableShell,
    allowCommands: options.allowCommand,
    maxTasks: options.maxTasks,
    maxBodyBytes: options.maxBodyBytes,
    loadLimits: { maxConnections: options.maxConnections, maxRate: options.maxRate, maxDurationMs, maxRequests: options.maxRequests },
    maxGates: options.maxGates,
    gateStore: options.gateStore === 'auto' ? (inCluster ? 'configmap' : 'file') : options.gateStore,
    gateFile: options.gateFile,
    gateConfigMap: options.gateConfigmap,
    gateNamespace: options.gateNamespace ?? emptyToUndefined(env.POD_NAMESPACE),
    gateAutoClose: options.gateAutoClose,
    bodyDir: options.bodyDir,
    protoDir: options.protoDir,
    proxy,
    logLevel: options.logLevel,
  };
  return { ok: true, config };
}

/** `--proxy` as a URL (http:// or https://), or the message refusing it. */
function proxyUrl(value: string | undefined): URL | undefined | string {
  if (value === undefined || value === '') return undefined;
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) return `--proxy ${value} is not an http:// or https:// URL`;
  return url;
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
