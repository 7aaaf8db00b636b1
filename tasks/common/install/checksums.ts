// Pure: reading sha256sum output (`<64 hex>  <file>`, or `<64 hex> *<file>` in binary mode).

/**
 * Every distinct lower-case SHA-256 listed for fileName, in file order: none when no line names
 * it, and more than one when the file is ambiguous (the caller must then refuse the archive,
 * whichever line comes first).
 */
export function listedChecksums(checksumsText: string, fileName: string): string[] {
  const hashes = new Set<string>();
  for (const line of checksumsText.split(/\r?\n/)) {
    const match = /^([0-9a-fA-F]{64}) [ *](.+?)\s*$/.exec(line);
    if (match && match[2] === fileName) hashes.add(match[1].toLowerCase());
  }
  return [...hashes];
}
