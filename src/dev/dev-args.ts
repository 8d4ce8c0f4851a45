/** Flags only the development entries take, split from the operator's own (which go to parseConfig). */
export interface DevArgs {
  logFormat: 'json' | 'pretty' | undefined;
  operatorArgs: string[];
}

/** Takes `--log-format json|pretty` (also `--log-format=…`, `-log-format=…`) out of `argv`; throws on another value. */
export function splitDevArgs(argv: readonly string[]): DevArgs {
  const operatorArgs: string[] = [];
  let logFormat: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const match = /^--?log-format(?:=(.*))?$/.exec(arg);
    if (match === null) operatorArgs.push(arg);
    else if (match[1] !== undefined) logFormat = match[1];
    // `--log-format` last, with no value, reads as an empty value and is refused below.
    else logFormat = argv[++i] ?? '';
  }
  if (logFormat !== undefined && logFormat !== 'json' && logFormat !== 'pretty') {
    throw new Error(`--log-format: expected json or pretty, got ${JSON.stringify(logFormat ?? '')}`);
  }
  return { logFormat, operatorArgs };
}

/** True when `argv` sets the operator flag `name` (`--name`, `--name=…`, `-name=…`). */
export function hasFlag(argv: readonly string[], name: string): boolean {
  return argv.some((arg) => new RegExp(`^--?${name}(=|$)`).test(arg));
}
