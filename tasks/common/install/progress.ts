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

/** A download must average at least `bytesPerSecond` over every `windowMs`. */
export interface MinimumRate {
  windowMs: number;
  bytesPerSecond: number;
}

/** Where the current rate window started: the time and the bytes received by then. */
export interface RateWindow {
  startMs: number;
  startBytes: number;
}

/**
 * A slow-download check, run periodically: 'too-slow' once a whole window has passed with fewer
 * bytes than the minimum rate allows; otherwise the window to keep measuring (the same one until
 * it is full, then a fresh one starting now). A socket timeout only catches a silent connection;
 * this catches one that trickles.
 */
export function nextRateWindow(window: RateWindow, nowMs: number, receivedBytes: number, minimum: MinimumRate): RateWindow | 'too-slow' {
  const elapsedMs = nowMs - window.startMs;
  if (elapsedMs < minimum.windowMs) return window;
  const bytesPerSecond = ((receivedBytes - window.startBytes) * 1000) / elapsedMs;
  return bytesPerSecond < minimum.bytesPerSecond ? 'too-slow' : { startMs: nowMs, startBytes: receivedBytes };
}
