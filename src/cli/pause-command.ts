import type { Command } from 'commander';
import { actionCommand, sendAction, type ActionDeps, type ActionFlags } from './action-request.js';

/** `kubectl songbird pause <canary>`. */
export function pauseCommand(deps: ActionDeps = {}): Command {
  return actionCommand('pause', 'hold the run: no weight change, no check counted, no deadline runs until resume')
    .action((name: string, flags: ActionFlags) => sendAction(name, flags, { verb: 'pause' }, deps));
}
