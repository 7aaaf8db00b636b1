// Pure: when a download reports progress, and how it reads. One line every few seconds or
// every 10 % step, never one per chunk.
import { formatBytes } from '../text';

const MEGABYTE = 1024 * 1024;

/** `12.3 MB of 30.0 MB` or, without a Content-Length, `12.3 MB`. */
export function progressText(receivedBytes: number, totalBytes: number | undefined): string {
  return totalBytes ? `${formatBytes(receivedBytes)} of ${formatBytes(totalBytes)}` : formatBytes(receivedBytes);
}

export interface ProgressState {
  lastReportAtMs: number;
  lastReportedTenth: number;
}

/** Smaller downloads (checksums files) finish in a moment: no 10 % steps for them. */
const MIN_BYTES_FOR_STEPS = MEGABYTE;

/** Which 10 % step of the download has been reached (0-10); 0 when the size is unknown or small. */
export function progressTenth(receivedBytes: number, totalBytes: number | undefined): number {
  return totalBytes && totalBytes >= MIN_BYTES_FOR_STEPS ? Math.floor((receivedBytes / totalBytes) * 10) : 0;
}

/** Whether to report now: `intervalMs` passed since the last report, or a new 10 % step was reached. */
export function shouldReportProgress(
  state: ProgressState,
  nowMs: number,
  receivedBytes: number,
  totalBytes: number | undefined,
  intervalMs: number,
): boolean {
  return nowMs - state.lastReportAtMs >= intervalMs || progressTenth(receivedBytes, totalBytes) > state.lastReportedTenth;
}

export function percentOf(receivedBytes: number, totalBytes: number | undefined): number | undefined {
  return totalBytes ? Math.min(100, Math.floor((receivedBytes / totalBytes) * 100)) : undefined;
}
