import { statSync } from 'node:fs';

/** Whether `path` is an existing regular file (or a link to one); false when it cannot be read. */
export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
