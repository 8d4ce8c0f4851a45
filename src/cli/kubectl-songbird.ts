#!/usr/bin/env node
/**
 * The `kubectl-songbird` plugin: `kubectl songbird <command>` once the binary is on PATH. Each command is
 * one file (`<name>-command.ts`); this entry only assembles them.
 */
import { Command } from 'commander';
import { planCommand } from './plan-command.js';
import { statusCommand } from './status-command.js';
import { watchCommand } from './watch-command.js';

/** The plugin's program with every command. */
export function songbirdProgram(): Command {
  const program = new Command('kubectl-songbird')
    .description('Observe and preview Songbird canary releases')
    .showHelpAfterError();
  program.addCommand(statusCommand());
  program.addCommand(watchCommand());
  program.addCommand(planCommand());
  return program;
}

await songbirdProgram().parseAsync(process.argv);
