/** Reads the credential of an `Authorization: Bearer …` header (shared by every route that takes one). */

/** The token of a bearer header; undefined without a header, '' for a malformed one (refused as invalid). */
export function bearerOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1] ?? '';
}
