#!/usr/bin/env node
/**
 * The `kubectl-songbird` plugin: `kubectl songbird <command>` once the binary is on PATH. Each command is
 * one file (`<name>-command.ts`); this entry only assembles them. The action verbs write a request in the
 * Canary's `songbird.flagger.app/action` annotation and wait for the operator's answer in
 * `status.lastAction` (see action-request.ts).
 */
import { Command } from 'commander';
import { abortCommand } from './abort-command.js';
import { pauseCommand } from './pause-command.js';
import { planCommand } from './plan-command.js';
import { promoteCommand } from './promote-command.js';
import { resumeCommand } from './resume-command.js';
import { retryCommand } from './retry-command.js';
import { setWeightCommand } from './set-weight-command.js';
import { statusCommand } from './status-command.js';
import { watchCommand } from './watch-command.js';

/** The plugin's program with every command. */
export function songbirdProgram(): Command {
  const program = new Command('kubectl-songbird')
    .description('observe, preview and steer Songbird canary releases')
    .showHelpAfterError();
  for (const command of [statusCommand(), watchCommand(), planCommand(), promoteCommand(), abortCommand(), retryCommand(),
    pauseCommand(), resumeCommand(), setWeightCommand()]) program.addCommand(command);
  return program;
}

// The kube client keeps connections alive: leave once the command is done, with the exit code it set.
songbirdProgram().parseAsync(process.argv).then(() => process.exit(), (error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
