// I/O adapter: the tool cache, in tool-lib's layout (`<tools>/<tool>/<ver>/<arch>/` plus the
// `<arch>.complete` marker, so `toolLib.findLocalTool` finds our entries), but filled atomically:
// extraction happens in a staging dir on the same file system, the staged dir is renamed into
// place under a lock, and only then is the marker written. A killed process leaves at most a
// staging dir or an unmarked entry; neither is ever used, and the unmarked one is replaced.
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, linkSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../errors';
import { isFile } from '../files';

export interface CacheLocation {
  /** `<tools>/<tool>/<ver>/<arch>`: the entry tool-lib's findLocalTool returns */
  entryDir: string;
  /** `<entryDir>.complete`: present only once entryDir is whole */
  markerPath: string;
  /** `<entryDir>.lock`: held while an entry is committed */
  lockPath: string;
  /** `<tools>/<tool>/.staging`: not a version name, so tool-lib ignores it */
  stagingRoot: string;
}

export function cacheLocation(toolsDirectory: string, tool: string, version: string, cacheArch: string): CacheLocation {
  const entryDir = join(toolsDirectory, tool, version, cacheArch);
  return {
    entryDir,
    markerPath: `${entryDir}.complete`,
    lockPath: `${entryDir}.lock`,
    stagingRoot: join(toolsDirectory, tool, '.staging'),
  };
}

/** The cached executable, if the entry is marked complete and holds it. */
export function findCachedBinary(location: CacheLocation, binaryName: string): string | undefined {
  const binary = join(location.entryDir, binaryName);
  return existsSync(location.markerPath) && isFile(binary) ? binary : undefined;
}

/** Staging dirs older than this belong to killed runs (an install takes seconds to minutes). */
const ABANDONED_STAGING_AGE_MS = 60 * 60 * 1000;

/** A fresh, empty dir to extract into, on the same file system as the entry. Also sweeps dirs abandoned by killed runs. */
export function createStagingDir(location: CacheLocation, version: string): string {
  mkdirSync(location.stagingRoot, { recursive: true });
  for (const name of readdirSync(location.stagingRoot)) {
    const path = join(location.stagingRoot, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > ABANDONED_STAGING_AGE_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // another process swept it first
    }
  }
  return mkdtempSync(join(location.stagingRoot, `${version}-`));
}

export function removeStagingDir(stagingDir: string): void {
  rmSync(stagingDir, { recursive: true, force: true });
}

/**
 * Moves a fully extracted staging dir into the cache. If another process committed the same
 * entry first, its entry is kept and ours discarded (both are the same verified archive).
 * Returns the executable's path in the cache.
 */
export async function commitStagingDir(location: CacheLocation, stagingDir: string, binaryName: string): Promise<{ binaryPath: string; committedByOther: boolean }> {
  mkdirSync(dirname(location.entryDir), { recursive: true });
  const releaseLock = await acquireLock(location.lockPath);
  try {
    const existing = findCachedBinary(location, binaryName);
    if (existing) {
      removeStagingDir(stagingDir);
      return { binaryPath: existing, committedByOther: true };
    }
    // An entry without a (valid) marker is the remains of an interrupted install: move it aside.
    rmSync(location.markerPath, { force: true });
    if (existsSync(location.entryDir)) {
      const aside = join(location.stagingRoot, `stale-${randomUUID()}`);
      renameSync(location.entryDir, aside);
      rmSync(aside, { recursive: true, force: true });
    }
    renameSync(stagingDir, location.entryDir);
    const markerTemp = `${location.markerPath}.${randomUUID()}.tmp`;
    writeFileSync(markerTemp, '');
    renameSync(markerTemp, location.markerPath);
    return { binaryPath: join(location.entryDir, binaryName), committedByOther: false };
  } finally {
    releaseLock();
  }
}

/** A lock older than this, or whose holder is gone, was left by a killed process (the commit it guards takes milliseconds). */
const STALE_LOCK_AGE_MS = 30_000;
const LOCK_WAIT_LIMIT_MS = 120_000;

function lockIsStale(lockPath: string): boolean {
  try {
    const ageMs = Date.now() - statSync(lockPath).mtimeMs;
    const holderPid = Number(readFileSync(lockPath, 'utf8'));
    return ageMs > STALE_LOCK_AGE_MS || (holderPid > 0 && !processIsAlive(holderPid));
  } catch {
    return false; // vanished meanwhile: just try again
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes a lock judged stale, atomically: the lock file is renamed to a name only this process
 * uses (of several waiters, one rename succeeds), and its staleness is checked again there, where
 * nobody else can replace it. If the lock was replaced by a live one since it was judged stale,
 * it is put back. True when a stale lock was removed (the caller then retries the exclusive create).
 */
export function takeOverStaleLock(lockPath: string): boolean {
  const aside = `${lockPath}.${randomUUID()}.stale`;
  try {
    renameSync(lockPath, aside);
  } catch {
    return false; // another waiter took it over (or its holder released it) first
  }
  if (lockIsStale(aside)) {
    rmSync(aside, { force: true });
    return true;
  }
  // A new holder's lock: restore it, unless yet another lock was created meanwhile (link never overwrites).
  try {
    linkSync(aside, lockPath);
  } catch {
    // EEXIST: a newer lock holds the name
  }
  rmSync(aside, { force: true });
  return false;
}

async function acquireLock(lockPath: string): Promise<() => void> {
  const deadline = Date.now() + LOCK_WAIT_LIMIT_MS;
  for (;;) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => unlinkSync(lockPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (lockIsStale(lockPath) && takeOverStaleLock(lockPath)) continue;
    if (Date.now() > deadline) throw new UserError(`Timed out waiting for the tool cache lock ${lockPath}. If no other job on this agent is installing the tool, delete that file.`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
