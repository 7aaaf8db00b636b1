import * as path from 'path';

/** The repository root (tests run from build/tests/…). */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');
/** shared/ sits beside the checkout, for developers and CI alike. */
export const sharedDir = path.resolve(repoRoot, '..', 'shared');
export const fixturesDir = path.join(sharedDir, 'fixtures');

export function fixture(...parts: string[]): string {
  return path.join(fixturesDir, ...parts);
}
