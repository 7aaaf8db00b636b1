// I/O adapter shared by the installer's downloads and the Dependency-Track upload: one request
// through typed-rest-client (the client tool-lib uses), so the agent's proxy and certificate
// settings apply, retried with exponential back-off on connection failures, timeouts and
// transient statuses. Loaded only by install/download.ts and SyftSbom/dependencyTrack.ts, so a
// tool-cache hit never loads typed-rest-client.
import { IncomingMessage } from 'node:http';
import tl = require('azure-pipelines-task-lib/task');
import { HttpClient } from 'typed-rest-client/HttpClient';
import { IRequestOptions } from 'typed-rest-client/Interfaces';
import { UserError } from './errors';
import { agentProxyConfiguration } from './proxy';
import { backoffDelayMs, HttpStatusError, isRetryableStatus } from './retry';
import { logLine, oneLine } from './text';

export interface RetryPolicy {
  /** attempts, including the first */
  attempts: number;
  /** wait after the first failed attempt; doubles after each further one */
  baseDelayMs: number;
  /** no byte for this long → the attempt fails (and is retried) */
  socketTimeoutMs: number;
}

export interface RetriedRequest<T> {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  /** A fresh body for each attempt. */
  body?: () => NodeJS.ReadableStream;
  /** Follow 3xx answers (default). When false, a 3xx is handed to onResponse. */
  followRedirects?: boolean;
  policy: RetryPolicy;
  /** What the request does, for the retry log line: `Attempt 1 of 4 to <action> failed (…)`. */
  action: string;
  /**
   * Turns an answer whose status is not retryable into the result. Throwing a UserError or an
   * HttpStatusError ends the request; any other error (a broken body, a timeout) is retried.
   */
  onResponse: (response: IncomingMessage) => Promise<T>;
  /**
   * The error to throw when the attempts ran out: `failure` is an HttpStatusError (with the
   * last answer's body) after retryable statuses, otherwise the last connection error.
   */
  onGiveUp: (failure: Error, attempts: number) => Error;
  /**
   * The latest time (epoch ms) the request may take, retries and back-off included. At that time
   * the attempt in flight is aborted (a server that trickles or never answers cannot hold the
   * step) and `onExpired` is thrown; a back-off that would end later is not waited for.
   */
  deadline?: { at: number; onExpired: () => Error };
}

const USER_AGENT = 'grype-syft-azure-devops';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The whole body. */
export async function readBytes(response: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The whole body as UTF-8 text. */
export async function readText(response: IncomingMessage): Promise<string> {
  return (await readBytes(response)).toString('utf8');
}

/** `ECONNRESET: socket hang up`, or just the message when the error has no code. */
export function describeNetworkError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ? `${code}: ${error.message}` : error.message;
}

export async function requestWithRetries<T>(request: RetriedRequest<T>): Promise<T> {
  const { url, policy } = request;
  const followRedirects = request.followRedirects ?? true;
  const options: IRequestOptions = {
    allowRedirects: followRedirects,
    allowRetries: false, // retried below, with back-off and body checks
    socketTimeout: policy.socketTimeoutMs,
    proxy: agentProxyConfiguration(url) ?? undefined,
    cert: tl.getHttpCertConfiguration() ?? undefined,
  };
  const deadline = request.deadline;
  for (let attempt = 1; ; attempt++) {
    let failure: Error;
    // One abort per attempt, handed to Node's http.request through typed-rest-client's handler hook.
    const abort = deadline ? new AbortController() : undefined;
    const timer = deadline && setTimeout(() => abort!.abort(), Math.max(0, deadline.at - Date.now()));
    const handlers = abort ? [{ prepareRequest: (o: { signal?: AbortSignal }) => (o.signal = abort.signal), canHandleAuthentication: () => false, handleAuthentication: () => Promise.reject(new Error('unused')) }] : [];
    const client = new HttpClient(USER_AGENT, handlers, options);
    try {
      const response = (await client.request(request.method, url, request.body?.() ?? (null as unknown as string), request.headers ?? {})).message;
      const status = response.statusCode ?? 0;
      if (isRetryableStatus(status)) {
        failure = new HttpStatusError(url, status, await readText(response));
      } else {
        if (followRedirects && status >= 300 && status < 400) {
          response.resume();
          throw unfollowedRedirect(url, status, response.headers.location);
        }
        return await request.onResponse(response);
      }
    } catch (error) {
      if (abort?.signal.aborted) throw deadline!.onExpired();
      if (error instanceof UserError || error instanceof HttpStatusError) throw error;
      if (/^Redirect from HTTPS to HTTP/.test((error as Error).message)) {
        throw new UserError(`${url} redirected from https to http, which is refused (the transfer would not be protected). Use a URL that is served over https without a redirect to http.`);
      }
      failure = error as Error;
    } finally {
      clearTimeout(timer);
    }
    if (attempt >= policy.attempts) throw request.onGiveUp(failure, attempt);
    const delayMs = backoffDelayMs(attempt, policy.baseDelayMs);
    if (deadline && Date.now() + delayMs >= deadline.at) throw deadline.onExpired();
    const reason = failure instanceof HttpStatusError ? `HTTP ${failure.status}` : describeNetworkError(failure);
    logLine(`Attempt ${attempt} of ${policy.attempts} to ${request.action} failed (${oneLine(reason)}); retrying in ${delayMs} ms.`);
    await sleep(delayMs);
  }
}

/** A 3xx that typed-rest-client did not follow (no or unusable Location, too many redirects). */
function unfollowedRedirect(url: string, status: number, location: string | undefined): UserError {
  const target = location ? `to ${oneLine(location, 200)}` : 'without a Location header';
  return new UserError(`${url} answered HTTP ${status}, a redirect ${target} that was not followed. Use the final URL directly (for example as downloadBaseUrl), or fix the server's redirect.`);
}
