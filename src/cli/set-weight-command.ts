import { InvalidArgumentError, type Command } from 'commander';
import { actionCommand, sendAction, type ActionDeps, type ActionFlags } from './action-request.js';

/** `kubectl songbird set-weight <canary> <weight>`. */
export function setWeightCommand(deps: ActionDeps = {}): Command {
  return actionCommand('set-weight', 'move the canary weight to N (0..maxWeight) and hold it there until resume')
    .argument('<weight>', 'canary weight, a whole percentage', parseWeight)
    .action((name: string, weight: number, flags: ActionFlags) => sendAction(name, flags, { verb: 'set-weight', weight }, deps));
}

function parseWeight(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('the weight is a whole number from 0 to 100');
  return Number(value);
}
