/**
 * The terminal follow display: one status line redrawn in place (spinner, state,
 * progress bar, last message), with output, logs and questions printed above it.
 */
import { formatPercent, formatQuestion, progressBar, truncate } from './format.ts';
import { writeOutcome, type DisplayStreams, type FollowDisplay } from './follow-display.ts';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const CLEAR_LINE = '\r\x1b[2K';
const FRAME_MS = 100;

/** A terminal stream: needs `columns` to fit the status line. */
export interface TtyStreams extends DisplayStreams {
  readonly out: NodeJS.WritableStream & { readonly columns?: number };
  /** Colour codes are skipped when false (NO_COLOR). */
  readonly color: boolean;
}

/** Creates the live display; it redraws on a timer until `finish` or `close`. */
export function createTtyDisplay(streams: TtyStreams): FollowDisplay {
  const { out } = streams;
  const paint = (code: string, text: string): string => (streams.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const stateColor: Record<string, string> = { waiting: '33', completed: '32', failed: '31', cancelled: '31' };
  let state = 'pending';
  let progress: number | null = null;
  let message = '';
  let frame = 0;
  let drawn = false;
  let closed = false;

  const render = (): void => {
    if (closed) return;
    // columns is 0 or missing when the size is unknown (e.g. under `script`).
    const width = Math.max(20, (out.columns || 80) - 1);
    const spin = state === 'waiting' ? '?' : (SPINNER[frame % SPINNER.length] ?? '*');
    const head = `${spin} ${state.padEnd(9)}`;
    const bar = progress === null ? '' : ` ${progressBar(progress, 20)} ${formatPercent(progress).padStart(4)}`;
    const room = width - head.length - bar.length - 2;
    const text = message === '' ? '' : `  ${truncate(message, room)}`;
    out.write(`${CLEAR_LINE}${paint(stateColor[state] ?? '36', head)}${bar}${paint('2', text)}`);
    drawn = true;
  };
  // Writes a full line above the status line, then puts the status line back.
  const above = (line: string, to: NodeJS.WritableStream = out): void => {
    if (drawn) out.write(CLEAR_LINE);
    to.write(`${line}\n`);
    render();
  };
  const timer = setInterval(() => {
    frame += 1;
    render();
  }, FRAME_MS);
  timer.unref(); // the spinner alone must never keep the process alive

  const close = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    if (drawn) out.write(CLEAR_LINE);
  };

  return {
    intro: (text) => above(text),
    event(e) {
      state = e.state;
      if (e.progress !== null) progress = e.progress;
      switch (e.event_type) {
        case 'state_change':
          message = e.message ?? '';
          if (e.state === 'waiting' && e.message !== null) above(paint('33', formatQuestion(e.task_id, e.message, e.metadata)));
          break;
        case 'progress':
          if (e.message !== null) message = e.message;
          break;
        case 'output':
          if (e.message !== null) above(e.message);
          break;
        case 'log':
          if (e.message !== null) above(paint('2', e.message));
          break;
        case 'error':
          if (e.message !== null) above(paint('31', `error: ${e.message}`));
          break;
        default: {
          const unknown: never = e.event_type;
          void unknown;
        }
      }
      render();
    },
    reconnecting: (attempt, reason) => {
      message = `connection lost (${reason}); reconnecting, attempt ${attempt}…`;
      render();
    },
    finish(task) {
      close();
      writeOutcome(task, streams, true);
    },
    close,
  };
}
