// I/O adapter: HTTP GETs through the shared retrying client (../http), so the agent's proxy and
// certificate settings apply, with our own retries (tool-lib's downloadTool has linear
// back-off, no checksum and no truncation check).
import { createHash } from 'node:crypto';
import { closeSync, createWriteStream, openSync, rmSync } from 'node:fs';
import { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import tl = require('azure-pipelines-task-lib/task');
import { UserError } from '../errors';
import { requestWithRetries, RetryPolicy } from '../http';
import { MinimumRate, nextRateWindow, percentOf, progressTenth, progressText, ProgressState, RateWindow, shouldReportProgress } from './progress';
import { HttpStatusError } from '../retry';
import { formatBytes, logLine } from '../text';

export interface DownloadPolicy extends RetryPolicy {
  progressIntervalMs: number;
  /** slower than this for a whole window → the download fails (a trickling mirror would never end) */
  minimumRate: MinimumRate;
}

/** Production defaults; tests lower the delays. */
export const downloadPolicy: DownloadPolicy = {
  attempts: 4,
  baseDelayMs: 1000,
  socketTimeoutMs: 60_000,
  progressIntervalMs: 5000,
  minimumRate: { windowMs: 60_000, bytesPerSecond: 10 * 1024 },
};

/**
 * GET `url` and hand a 2xx (or, when redirects are not followed, 3xx) response to `consume`.
 * Connection errors, timeouts, errors while consuming the body and retryable statuses are
 * retried with back-off; other statuses throw HttpStatusError at once.
 */
function getWithRetries<T>(
  url: string,
  headers: Record<string, string>,
  consume: (response: IncomingMessage) => Promise<T>,
  followRedirects = true,
): Promise<T> {
  return requestWithRetries({
    method: 'GET',
    url,
    headers,
    followRedirects,
    policy: downloadPolicy,
    action: `download ${url}`,
    onResponse: async (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 200 && status < 400) return consume(response);
      response.resume(); // discard the error body so the socket is released
      throw new HttpStatusError(url, status);
    },
    onGiveUp: (failure, attempts) =>
      failure instanceof HttpStatusError
        ? failure
        : new UserError(
            `Downloading ${url} failed after ${attempts} attempts: ${failure.message}. ` +
              (isCertificateError(failure)
                ? `The server's TLS certificate is not trusted: if the agent is behind a TLS-inspecting proxy, configure the agent with that proxy's CA certificate (Agent.CAInfo, set by the agent's config --sslcacert), or set downloadBaseUrl to a mirror with a trusted certificate.`
                : `Check the agent's network and proxy settings, or set downloadBaseUrl to a reachable mirror, then run the pipeline again.`),
          ),
  });
}

/** Node's codes for a certificate that does not verify (unknown issuer, self-signed, wrong host, expired). */
function isCertificateError(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code);
}

function contentLength(response: IncomingMessage): number | undefined {
  const header = response.headers['content-length'];
  return header === undefined ? undefined : Number(header);
}

/** Thrown inside an attempt when the connection ended before Content-Length bytes arrived; retried. */
function assertComplete(url: string, receivedBytes: number, expectedBytes: number | undefined): void {
  if (expectedBytes !== undefined && receivedBytes !== expectedBytes) {
    throw new Error(`connection closed after ${receivedBytes} of ${expectedBytes} bytes of ${url}`);
  }
}

/**
 * Counts the bytes of one response and ends it with a UserError (not retried: a mirror this slow
 * would only repeat it) when a whole rate window passes below the minimum rate.
 */
class SlowDownloadGuard {
  receivedBytes = 0;
  private window: RateWindow = { startMs: Date.now(), startBytes: 0 };
  private readonly timer: NodeJS.Timeout;

  constructor(url: string, response: IncomingMessage, totalBytes: number | undefined) {
    const minimum = downloadPolicy.minimumRate;
    this.timer = setInterval(() => {
      const next = nextRateWindow(this.window, Date.now(), this.receivedBytes, minimum);
      if (next !== 'too-slow') {
        this.window = next;
        return;
      }
      const received = totalBytes === undefined ? `${this.receivedBytes} bytes` : `${this.receivedBytes} of ${totalBytes} bytes`;
      response.destroy(
        new UserError(
          `Downloading ${url} was stopped: it ran slower than ${formatBytes(minimum.bytesPerSecond)}/s for ${minimum.windowMs / 1000} s (${received} received in all). ` +
            `Check the agent's network and proxy, or set downloadBaseUrl to a faster mirror, then run the pipeline again.`,
        ),
      );
    }, Math.max(10, Math.floor(minimum.windowMs / 6)));
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/**
 * Streams `url` into `destPath`, hashing while writing. Returns the SHA-256 (lower-case hex).
 * `destPath` is created exclusively ('wx'), so an existing file or link there is never written
 * through; each attempt replaces the file this function created.
 */
export async function downloadFile(url: string, destPath: string): Promise<string> {
  closeSync(openSync(destPath, 'wx')); // before any request: refuses a path that is taken
  return getWithRetries(url, {}, async (response) => {
    rmSync(destPath, { force: true }); // this function's own file (empty, or a failed attempt's part)
    const file = createWriteStream(destPath, { flags: 'wx' });
    const totalBytes = contentLength(response);
    const hash = createHash('sha256');
    const guard = new SlowDownloadGuard(url, response, totalBytes);
    const progress: ProgressState = { lastReportAtMs: Date.now(), lastReportedTenth: 0 };
    const hashAndReport = async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        hash.update(chunk);
        guard.receivedBytes += chunk.length;
        const receivedBytes = guard.receivedBytes;
        const now = Date.now();
        if (shouldReportProgress(progress, now, receivedBytes, totalBytes, downloadPolicy.progressIntervalMs)) {
          progress.lastReportAtMs = now;
          progress.lastReportedTenth = progressTenth(receivedBytes, totalBytes);
          logLine(`Downloading ${url}: ${progressText(receivedBytes, totalBytes)}`);
          const percent = percentOf(receivedBytes, totalBytes);
          if (percent !== undefined) tl.setProgress(percent, 'Downloading');
        }
        yield chunk;
      }
    };
    try {
      await pipeline(response, hashAndReport, file);
    } finally {
      guard.stop();
    }
    assertComplete(url, guard.receivedBytes, totalBytes);
    return hash.digest('hex');
  });
}

async function readBody(url: string, response: IncomingMessage): Promise<string> {
  const guard = new SlowDownloadGuard(url, response, contentLength(response));
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of response) {
      chunks.push(chunk as Buffer);
      guard.receivedBytes += (chunk as Buffer).length;
    }
  } finally {
    guard.stop();
  }
  const body = Buffer.concat(chunks);
  assertComplete(url, body.length, contentLength(response));
  return body.toString('utf8');
}

export async function downloadText(url: string): Promise<string> {
  return getWithRetries(url, {}, (response) => readBody(url, response));
}

/**
 * What github.com/<owner>/<repo>/releases/latest points at: with `Accept: application/json`
 * GitHub answers `{"tag_name": "v1.2.3", …}`; otherwise (or from a proxy that drops the
 * header) it redirects to `/releases/tag/v1.2.3`. Redirects are not followed so both work.
 * Returns the tag or the redirect location.
 */
export async function fetchLatestReleaseTag(url: string): Promise<string> {
  return getWithRetries(
    url,
    { Accept: 'application/json' },
    async (response) => {
      const location = response.headers.location;
      if (response.statusCode && response.statusCode >= 300 && location) {
        response.resume();
        return location;
      }
      const body = await readBody(url, response);
      try {
        const tag = (JSON.parse(body) as { tag_name?: unknown }).tag_name;
        if (typeof tag === 'string') return tag;
      } catch {
        // not JSON: reported below with the body's start
      }
      throw new UserError(`${url} did not name a release (expected JSON with tag_name, got: ${body.slice(0, 100)}). Pin a version instead of 'latest'.`);
    },
    false,
  );
}
