import type { Command } from 'commander';
import { actionCommand, sendAction, type ActionDeps, type ActionFlags } from './action-request.js';

/** `kubectl songbird retry <canary>`. */
export function retryCommand(deps: ActionDeps = {}): Command {
  return actionCommand('retry', 'run the same revision again after a failed run')
    .action((name: string, flags: ActionFlags) => sendAction(name, flags, { verb: 'retry' }, deps));
}
