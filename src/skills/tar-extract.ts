/**
 * Unpacks an uploaded .tar.gz into an empty staging folder. We decompress ourselves
 * (so every decompressed byte is counted, whatever the headers claim) and use
 * node-tar only to parse entries; files are written by us, so nothing but regular
 * files and folders can ever be created: links, devices and FIFOs are refused.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { SwitchboardError, isSwitchboardError } from '../core/domain/errors.ts';
import { UnpackBudget, entrySegments, fileMode, refuse, type UnpackLimits } from './unpack-budget.ts';

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
/** tar framing on top of the data: a header and padding per entry, and the end blocks. */
const FRAMING_PER_ENTRY = 2048;

function invalid(message: string): SwitchboardError {
  return new SwitchboardError('SKILL_ARCHIVE_INVALID', message);
}

/** Extracts `data` (gzip-compressed tar) into `dest`, which must exist and be empty. */
export async function extractTarGz(data: Uint8Array, dest: string, limits: UnpackLimits): Promise<UnpackBudget> {
  const budget = new UnpackBudget(limits);
  const streamCap = limits.maxBytes + (limits.maxEntries + 4) * FRAMING_PER_ENTRY;
  const parser = new Parser({ strict: true, brotli: false, zstd: false, maxMetaEntrySize: 64 * 1024 });
  const writes: Promise<unknown>[] = [];
  const outs: WriteStream[] = [];
  let failure: unknown;
  const fail = (err: unknown): void => {
    failure ??= err;
  };

  const onEntry = (entry: ReadEntry): void => {
    if (failure !== undefined) return void entry.resume();
    try {
      budget.entry(entry.path);
      const segments = entrySegments(entry.path);
      if (entry.type === 'Directory') {
        if (segments.length > 0) mkdirSync(join(dest, ...segments), { recursive: true, mode: 0o755 });
        entry.resume();
        return;
      }
      if (entry.type === 'SymbolicLink' || entry.type === 'Link') {
        throw refuse(entry.path, `links are not allowed in archives (${entry.type === 'Link' ? 'hard link' : 'symbolic link'} to "${entry.linkpath ?? ''}")`);
      }
      if (!FILE_TYPES.has(entry.type)) throw refuse(entry.path, `entry type ${entry.type} is not allowed (only files and folders)`);
      if (segments.length === 0) throw refuse(entry.path, 'a file needs a name');
      // Early refusal on the declared size; the real count below is what enforces the limit.
      if (budget.bytes + entry.size > limits.maxBytes) budget.data(entry.path, entry.size);
      mkdirSync(join(dest, ...segments.slice(0, -1)), { recursive: true, mode: 0o755 });
      const out = createWriteStream(join(dest, ...segments), { flags: 'wx', mode: fileMode(entry.mode) });
      outs.push(out);
      budget.files += 1;
      const name = entry.path;
      entry.on('data', (chunk: Buffer) => {
        try {
          budget.data(name, chunk.length);
        } catch (err) {
          fail(err);
          out.destroy();
        }
      });
      entry.pipe(out);
      writes.push(
        finished(out).catch((err: NodeJS.ErrnoException) => {
          fail(err.code === 'EEXIST' ? refuse(name, 'the archive holds this path twice') : (failure ?? err));
        }),
      );
    } catch (err) {
      fail(err);
      entry.resume();
    }
  };

  parser.on('entry', onEntry);
  parser.on('ignoredEntry', (entry: ReadEntry) => fail(refuse(entry.path, `entry type ${entry.type} is not allowed`)));
  const ended = new Promise<void>((resolve) => {
    parser.on('error', (err: Error) => {
      fail(invalid(`Not a valid tar archive: ${err.message}`));
      resolve();
    });
    parser.on('close', () => resolve());
    parser.on('end', () => resolve());
  });
  const drained = (): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        parser.off('drain', done);
        parser.off('error', done);
        parser.off('abort', done);
        resolve();
      };
      parser.on('drain', done).on('error', done).on('abort', done);
    });

  let total = 0;
  try {
    for await (const chunk of Readable.from([Buffer.from(data)]).pipe(createGunzip({ chunkSize: 64 * 1024 })) as AsyncIterable<Buffer>) {
      if (failure !== undefined) break;
      // A second layer of compression inside would be unpacked by the parser, past our count.
      if (total === 0 && chunk.length >= 2 && ((chunk[0] === 0x1f && chunk[1] === 0x8b) || (chunk[0] === 0x28 && chunk[1] === 0xb5))) {
        throw invalid('The archive is compressed twice; upload a plain .tar.gz');
      }
      total += chunk.length;
      if (total > streamCap) budget.data('(archive)', limits.maxBytes + 1);
      if (!parser.write(chunk)) await drained();
    }
  } catch (err) {
    if (isSwitchboardError(err)) fail(err);
    else fail(invalid(`Not a valid gzip file: ${err instanceof Error ? err.message : String(err)}`));
  }
  if (failure === undefined) {
    parser.end();
    await ended;
  } else {
    parser.abort(new Error('stopped'));
    // Entries cut short never end: close their files so the writes settle.
    for (const out of outs) out.destroy();
  }
  await Promise.all(writes);
  if (failure !== undefined) throw failure;
  return budget;
}
