#!/usr/bin/env node
import { Command } from 'commander';
import { abortCommand } from './abort-command.js';
import { pauseCommand } from './pause-command.js';
import { promoteCommand } from './promote-command.js';
import { resumeCommand } from './resume-command.js';
import { retryCommand } from './retry-command.js';
import { setWeightCommand } from './set-weight-command.js';

/**
 * `kubectl-songbird`, the kubectl plugin (`kubectl songbird …` once it is on PATH). The action verbs write a
 * request in the Canary's `songbird.flagger.app/action` annotation and wait for the operator's answer in
 * `status.lastAction` (see cli/action-request.ts).
 */
const program = new Command('kubectl songbird')
  .description('observe and steer Songbird canary releases')
  .showHelpAfterError();
program.addCommand(promoteCommand());
program.addCommand(abortCommand());
program.addCommand(retryCommand());
program.addCommand(pauseCommand());
program.addCommand(resumeCommand());
program.addCommand(setWeightCommand());

// The kube client keeps connections alive: leave once the command is done, with the exit code it set.
program.parseAsync(process.argv).then(() => process.exit(), (error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
