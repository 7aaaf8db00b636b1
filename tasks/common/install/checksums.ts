// Pure: reading sha256sum output (`<64 hex>  <file>`, or `<64 hex> *<file>` in binary mode).

/** The lower-case SHA-256 listed for fileName, or undefined when no line names it. */
export function findChecksum(checksumsText: string, fileName: string): string | undefined {
  for (const line of checksumsText.split(/\r?\n/)) {
    const match = /^([0-9a-fA-F]{64}) [ *](.+?)\s*$/.exec(line);
    if (match && match[2] === fileName) return match[1].toLowerCase();
  }
  return undefined;
}
