/** Client commands of the `switchboard` CLI (placeholder until the client lands). */
import type { Command } from 'commander';

export function registerClientCommands(_program: Command): void {}
