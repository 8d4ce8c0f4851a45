import type { Command } from 'commander';
import { actionCommand, sendAction, type ActionDeps, type ActionFlags } from './action-request.js';

/** `kubectl songbird abort <canary> [--reason text]`. */
export function abortCommand(deps: ActionDeps = {}): Command {
  return actionCommand('abort', 'roll the run back now; the reason shows in the Ready condition and the events')
    .option('--reason <text>', 'why the run is aborted')
    .action((name: string, flags: ActionFlags & { reason?: string }) =>
      sendAction(name, flags, { verb: 'abort', ...(flags.reason === undefined ? {} : { reason: flags.reason }) }, deps));
}
