/** `switchboard devices init|list|show|approve|revoke`. */
import type { Command } from 'commander';
import type { RunAction } from './audit-commands.ts';
import {
  devicesApproveAction,
  devicesInitAction,
  devicesListAction,
  devicesRevokeAction,
  devicesShowAction,
  type DevicesInitOptions,
  type DevicesListOptions,
} from './devices-actions.ts';

/** Adds `devices` with its subcommands to `program`. */
export function registerDeviceCommands(program: Command, run: RunAction): void {
  const devices = program.command('devices').description('Register this machine as a device, and approve or revoke devices');
  devices
    .command('init')
    .description('Make this machine\'s Ed25519 device key (~/.config/switchboard/device-key.json, 0600) and register it: pending until approved')
    .option('--name <name>', 'a name for the device (default: the host name)')
    .action((opts: DevicesInitOptions, cmd: Command) => run(cmd, (ctx) => devicesInitAction(ctx, opts)));
  devices
    .command('list')
    .description('List your devices')
    .option('--all', "every user's devices (needs admin:users)")
    .action((opts: DevicesListOptions, cmd: Command) => run(cmd, (ctx) => devicesListAction(ctx, opts)));
  devices
    .command('show')
    .description("One device: its trust, owner, key fingerprint (yours, or anyone's with admin:users)")
    .argument('<device-id>')
    .action((id: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => devicesShowAction(ctx, id)));
  devices
    .command('approve')
    .description('Approve a pending device: it becomes trusted (needs admin:users, unless owners may approve their own)')
    .argument('<device-id>')
    .action((id: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => devicesApproveAction(ctx, id)));
  devices
    .command('revoke')
    .description('Revoke a device (yours, or anyone\'s with admin:users): final, its sessions end at once')
    .argument('<device-id>')
    .action((id: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => devicesRevokeAction(ctx, id)));
}
