/**
 * Unpacks an uploaded .zip into an empty staging folder with yauzl, one entry at a
 * time. Names are checked by us (so a refusal names the entry); each entry's
 * decompressed bytes are counted as they stream, and yauzl also fails an entry whose
 * real size differs from its header, so a zip bomb stops at the limit.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { SwitchboardError, isSwitchboardError } from '../core/domain/errors.ts';
import { UnpackBudget, entrySegments, fileMode, refuse, type UnpackLimits } from './unpack-budget.ts';

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const MADE_BY_UNIX = 3;

function invalid(message: string): SwitchboardError {
  return new SwitchboardError('SKILL_ARCHIVE_INVALID', message);
}

function open(data: Uint8Array): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(
      Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, strictFileNames: false },
      (err, zip) => (err ? reject(invalid(`Not a valid zip file: ${err.message}`)) : resolve(zip)),
    );
  });
}

function entryName(entry: Entry): string {
  const raw = entry.fileNameRaw ?? (entry.fileName as unknown as Buffer);
  return yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, false);
}

/** The Unix file type of an entry, when the zip was made on Unix and says one. */
function unixType(entry: Entry): number | undefined {
  if (entry.versionMadeBy >> 8 !== MADE_BY_UNIX) return undefined;
  const type = (entry.externalFileAttributes >>> 16) & S_IFMT;
  return type === 0 ? undefined : type;
}

function openStream(zip: ZipFile, entry: Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolve(stream))));
}

async function writeEntry(zip: ZipFile, entry: Entry, name: string, dest: string, segments: string[], budget: UnpackBudget): Promise<void> {
  const type = unixType(entry);
  if (type === S_IFLNK) throw refuse(name, 'links are not allowed in archives (symbolic link)');
  const isDir = name.endsWith('/') || type === S_IFDIR;
  if (type !== undefined && type !== S_IFREG && type !== S_IFDIR) throw refuse(name, 'only files and folders are allowed (device, FIFO or socket)');
  if (entry.isEncrypted()) throw refuse(name, 'encrypted entries are not supported');
  if (isDir) {
    if (segments.length > 0) mkdirSync(join(dest, ...segments), { recursive: true, mode: 0o755 });
    return;
  }
  if (segments.length === 0) throw refuse(name, 'a file needs a name');
  // Early refusal on the declared size; the count while streaming is what enforces the limit.
  if (budget.bytes + entry.uncompressedSize > budget.limits.maxBytes) budget.data(name, entry.uncompressedSize);
  mkdirSync(join(dest, ...segments.slice(0, -1)), { recursive: true, mode: 0o755 });
  const mode = fileMode(entry.versionMadeBy >> 8 === MADE_BY_UNIX ? entry.externalFileAttributes >>> 16 : undefined);
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      try {
        budget.data(name, chunk.length);
        done(null, chunk);
      } catch (err) {
        done(err as Error);
      }
    },
  });
  budget.files += 1;
  try {
    await pipeline(await openStream(zip, entry), counter, createWriteStream(join(dest, ...segments), { flags: 'wx', mode }));
  } catch (err) {
    if (isSwitchboardError(err)) throw err;
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw refuse(name, 'the archive holds this path twice');
    throw refuse(name, `cannot be unpacked: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Extracts `data` (a zip file) into `dest`, which must exist and be empty. */
export async function extractZip(data: Uint8Array, dest: string, limits: UnpackLimits): Promise<UnpackBudget> {
  const budget = new UnpackBudget(limits);
  const zip = await open(data);
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw new SwitchboardError('SKILL_TOO_LARGE', `The skill has more than ${limits.maxEntries} entries (${zip.entryCount} in the zip)`, {
      limit: 'entries',
      max_entries: limits.maxEntries,
    });
  }
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', (err: Error) => reject(isSwitchboardError(err) ? err : invalid(`Not a valid zip file: ${err.message}`)));
      zip.on('end', () => resolve());
      zip.on('entry', (entry: Entry) => {
        const name = entryName(entry);
        (async () => {
          budget.entry(name);
          await writeEntry(zip, entry, name, dest, entrySegments(name), budget);
        })().then(
          () => zip.readEntry(),
          (err: unknown) => reject(err),
        );
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  return budget;
}
