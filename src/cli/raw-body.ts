/** Raw (non-JSON) request bodies of the CLI's HTTP client, with optional upload progress. */

/** A body sent as it is, e.g. a .tar.gz upload. */
export interface RawBody {
  readonly data: Uint8Array;
  readonly contentType: string;
  /** Called as chunks are handed to the connection (bytes so far, total). */
  readonly onProgress?: (sent: number, total: number) => void;
}

const CHUNK = 64 * 1024;

/** The fetch options for a raw body: a plain buffer, or a stream that reports progress. */
export function rawRequestBody(raw: RawBody): RequestInit {
  const { data, onProgress } = raw;
  if (onProgress === undefined) return { body: data };
  let offset = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= data.length) {
        controller.close();
        return;
      }
      const chunk = data.subarray(offset, offset + CHUNK);
      offset += chunk.length;
      controller.enqueue(chunk);
      onProgress(offset, data.length);
    },
  });
  // A stream body needs half-duplex mode in Node's fetch; the field is not in every RequestInit typing.
  return { body: stream, duplex: 'half' } as RequestInit;
}
