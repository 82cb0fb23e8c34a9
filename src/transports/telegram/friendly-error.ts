/** One line for a person in a chat: never a stack trace, and a denial names the missing permission. */
import { isSwitchboardError } from '../../core/domain/errors.ts';

export function friendlyError(err: unknown): string {
  if (isSwitchboardError(err)) {
    if (err.code === 'AUTH_FORBIDDEN') {
      const permission = err.details?.['permission'];
      return typeof permission === 'string' ? `⛔ Permission denied: you need ${permission}.` : '⛔ Permission denied.';
    }
    if (err.exposed) return `⚠️ ${err.message.split('\n')[0] ?? err.message}`;
  }
  return '⚠️ Something went wrong; try again later.';
}
