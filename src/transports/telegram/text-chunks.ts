/** Telegram's message size limit, and cutting long text to fit it (pure). */

/** Characters in one Telegram message at most. */
export const MESSAGE_LIMIT = 4096;
/** Beyond this many messages, a result goes as a file instead. */
export const MAX_CHUNKS = 3;

/** Splits text into pieces of at most `limit` characters, at a line break when one is near. */
export function splitText(text: string, limit = MESSAGE_LIMIT): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const cut = rest.lastIndexOf('\n', limit);
    const at = cut > limit / 2 ? cut : limit;
    out.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^\n/, '');
  }
  if (rest.length > 0 || out.length === 0) out.push(rest);
  return out;
}

/** Shortens text to one message, saying that it was cut. */
export function clip(text: string, limit = MESSAGE_LIMIT): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 2)} …`;
}
