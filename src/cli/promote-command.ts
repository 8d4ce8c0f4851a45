import type { Command } from 'commander';
import { actionCommand, sendAction, type ActionDeps, type ActionFlags } from './action-request.js';

/** `kubectl songbird promote <canary> [--full]`. */
export function promoteCommand(deps: ActionDeps = {}): Command {
  return actionCommand('promote', 'skip the rest of the analysis and promote (confirm-promotion gates and stepWeightPromotion still apply)')
    .option('--full', 'promote at once: no confirm-promotion gate, all traffic back to the primary in one step')
    .action((name: string, flags: ActionFlags & { full?: boolean }) => sendAction(name, flags, { verb: flags.full === true ? 'promote-full' : 'promote' }, deps));
}
