// Temporary folders for one test file, removed once its tests have run (KEEP_TEST_TMP=1 keeps them).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Call at a test file's top level: returns `tempDir(prefix)`, and registers the clean-up. */
export function scratchDirs(): (prefix: string) => string {
  const made: string[] = [];
  after(() => {
    if (process.env.KEEP_TEST_TMP) return;
    for (const d of made) fs.rmSync(d, { recursive: true, force: true });
  });
  return (prefix) => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    made.push(d);
    return d;
  };
}
