import type { Command } from 'commander';
import { actionCommand, sendAction, type ActionDeps, type ActionFlags } from './action-request.js';

/** `kubectl songbird resume <canary>`. */
export function resumeCommand(deps: ActionDeps = {}): Command {
  return actionCommand('resume', 'go on with a run held by pause or set-weight')
    .action((name: string, flags: ActionFlags) => sendAction(name, flags, { verb: 'resume' }, deps));
}
