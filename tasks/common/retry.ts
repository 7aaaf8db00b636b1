// Pure: which failures are worth another attempt, and how long to wait before it.

/** Throttling and server-side failures are transient; other 4xx (404, 403, …) will not change on retry. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Exponential back-off: base, 2×base, 4×base, … for attempts 1, 2, 3, … */
export function backoffDelayMs(failedAttempt: number, baseDelayMs: number): number {
  return baseDelayMs * 2 ** (failedAttempt - 1);
}

/** The server answered with a status that retrying will not change (404, 403, …), or retries ran out on one. */
export class HttpStatusError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    /** the answer's body, when it was read (retryable statuses) */
    readonly body = '',
  ) {
    super(`HTTP ${status} from ${url}`);
    this.name = 'HttpStatusError';
  }
}
