import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import tl = require('azure-pipelines-task-lib/task');
import { UserError } from '../common/errors';
import { describeNetworkError, readText, requestWithRetries, RetryPolicy } from '../common/http';
import { parseHttpUrl } from '../common/inputs';
import { HttpStatusError } from '../common/retry';
import { formatBytes, oneLine } from '../common/text';

export interface DependencyTrackTarget {
  /** Base URL of the Dependency-Track API server, without a trailing slash or /api/... */
  baseUrl: string;
  apiKey: string;
  projectName: string;
  projectVersion: string;
}

/**
 * Checks and normalises `dependencyTrackUrl`: an absolute http(s) URL of the API server, without
 * credentials (parseHttpUrl's rules) and without a query or fragment. A trailing `/`, `/api`,
 * `/api/v1` or `/api/v1/bom` is accepted and removed. Pure.
 */
export function normaliseDependencyTrackUrl(raw: string): string {
  let checked: string | undefined;
  try {
    checked = parseHttpUrl('dependencyTrackUrl', raw);
  } catch {
    // reported below: parseHttpUrl's advice is about download mirrors, this gives Dependency-Track's
  }
  if (!checked) {
    // Never echo credentials into the log.
    const shown = raw.trim().replace(/\/\/[^/?#]*@/, '//');
    throw new UserError(
      `dependencyTrackUrl '${shown}' is not a valid URL: it must start with https:// (or http://) and must not contain credentials ` +
        `(put the API key in dependencyTrackApiKey, from a secret variable). Use the address of the Dependency-Track API server, e.g. https://dtrack.example.com or https://dtrack.example.com/api-server.`,
    );
  }
  const url = new URL(checked);
  if (url.search || url.hash) throw new UserError(`dependencyTrackUrl '${checked}' must not have a query or fragment.`);
  const pathname = url.pathname.replace(/\/+$/, '').replace(/\/api(\/v1(\/bom)?)?$/i, '');
  return `${url.protocol}//${url.host}${pathname}`;
}

export interface MultipartField {
  name: string;
  value: string;
}

export interface MultipartFile {
  name: string;
  fileName: string;
  contentType: string;
  /** The file's bytes, possibly in chunks (never copied into one buffer here). */
  data: Buffer | Buffer[];
}

export interface MultipartBody {
  contentType: string;
  /** Head, file bytes and tail: the file is not copied into one big buffer. */
  parts: Buffer[];
  length: number;
}

function headerValue(text: string): string {
  // Quoted-string in a Content-Disposition: no CR/LF, quotes and backslashes escaped.
  return text.replace(/[\r\n]+/g, ' ').replace(/["\\]/g, '\\$&');
}

/** A multipart/form-data body (RFC 7578): text fields, then one file. Pure apart from `boundary`. */
export function multipartBody(fields: MultipartField[], file: MultipartFile, boundary = `----syftsbom${randomBytes(12).toString('hex')}`): MultipartBody {
  let head = '';
  for (const field of fields) {
    head += `--${boundary}\r\nContent-Disposition: form-data; name="${headerValue(field.name)}"\r\n\r\n${field.value}\r\n`;
  }
  head += `--${boundary}\r\nContent-Disposition: form-data; name="${headerValue(file.name)}"; filename="${headerValue(file.fileName)}"\r\nContent-Type: ${file.contentType}\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const parts = [Buffer.from(head, 'utf8'), ...(Array.isArray(file.data) ? file.data : [file.data]), Buffer.from(tail, 'utf8')];
  return { contentType: `multipart/form-data; boundary=${boundary}`, parts, length: parts.reduce((n, b) => n + b.length, 0) };
}

export type UploadPolicy = RetryPolicy;

/** Production defaults. SYFTSBOM_DT_RETRY_DELAY_MS lowers the back-off (tests). */
function uploadPolicy(env: NodeJS.ProcessEnv = process.env): UploadPolicy {
  const delay = Number(env.SYFTSBOM_DT_RETRY_DELAY_MS);
  return { attempts: 4, baseDelayMs: Number.isFinite(delay) && delay >= 0 ? delay : 2000, socketTimeoutMs: 5 * 60_000 };
}

export interface UploadResult {
  /** Dependency-Track's processing token: its answer always carries one. */
  token: string;
}

/**
 * The advice for an answer that did not come from the Dependency-Track API server (a frontend, a
 * login page, a redirect). Pure.
 */
function notTheApiServer(url: string, answer: string, detail: string): UserError {
  return new UserError(
    `${url} answered ${answer}, so dependencyTrackUrl is not the address of the Dependency-Track API server; the SBOM was not uploaded. ` +
      `Set dependencyTrackUrl to the API server's address (not the frontend's or a login page), e.g. https://dtrack.example.com or https://dtrack.example.com/api-server.${detail}`,
  );
}

/** The user-facing error for a non-2xx answer that retrying will not fix (or that kept failing). Pure. */
export function describeFailure(status: number, body: string, target: DependencyTrackTarget, bomBytes: number, attempts: number, location?: string): UserError {
  const url = `${target.baseUrl}/api/v1/bom`;
  const detail = body.trim() ? ` Server said: ${oneLine(body, 300)}` : '';
  if (status === 401 || status === 403) {
    return new UserError(
      `Dependency-Track refused the API key (HTTP ${status} from ${url}). The key in dependencyTrackApiKey must be valid and belong to a team with the ` +
        `BOM_UPLOAD permission, plus PROJECT_CREATION_UPLOAD so that project '${target.projectName}' can be created automatically ` +
        `(Dependency-Track: Administration → Access Management → Teams).${detail}`,
    );
  }
  if (status === 413) {
    return new UserError(
      `Dependency-Track (or a proxy in front of it) rejected the SBOM as too large (HTTP 413, ${formatBytes(bomBytes)}). ` +
        `Raise the server's upload limit (e.g. the reverse proxy's request body limit), or upload a smaller SBOM.${detail}`,
    );
  }
  if (status === 404) {
    return new UserError(`There is no Dependency-Track BOM API at ${url} (HTTP 404). Set dependencyTrackUrl to the API server's address (not the frontend's).${detail}`);
  }
  if (status === 405) return notTheApiServer(url, 'HTTP 405 (method not allowed)', detail);
  if (status >= 300 && status < 400) {
    return notTheApiServer(url, `HTTP ${status}, a redirect${location ? ` to ${oneLine(location.replace(/[?#].*/s, '').replace(/\/\/[^/]*@/, '//'), 200)}` : ''}`, detail);
  }
  if (status === 400) {
    return new UserError(`Dependency-Track rejected the upload (HTTP 400 from ${url}): the BOM or the project fields are not accepted.${detail}`);
  }
  if (status >= 500 || status === 429 || status === 408) {
    return new UserError(`Dependency-Track failed with HTTP ${status} from ${url} after ${attempts} attempt(s). Check the server's health and logs, then run the pipeline again.${detail}`);
  }
  return new UserError(`Dependency-Track answered HTTP ${status} from ${url}; the SBOM was not uploaded.${detail}`);
}

/** The `token` of a JSON answer, or undefined when the text is not such JSON. Pure. */
function parseToken(text: string): string | undefined {
  try {
    const token = (JSON.parse(text) as { token?: unknown } | null)?.token;
    return typeof token === 'string' && token.trim() ? token : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `POST <base>/api/v1/bom` (multipart: projectName, projectVersion, autoCreate=true, bom) with the
 * `X-Api-Key` header, through the agent's proxy and certificate settings. 5xx, 408/429 and
 * connection failures are retried with back-off; anything else fails at once with a clear error.
 * The key is registered as a secret by the caller before this runs and is never logged.
 */
export async function uploadBom(target: DependencyTrackTarget, bom: Buffer | Buffer[], fileName: string, contentType: string, policy: UploadPolicy = uploadPolicy()): Promise<UploadResult> {
  const url = `${target.baseUrl}/api/v1/bom`;
  const bomBytes = Array.isArray(bom) ? bom.reduce((n, b) => n + b.length, 0) : bom.length;
  const body = multipartBody(
    [
      { name: 'projectName', value: target.projectName },
      { name: 'projectVersion', value: target.projectVersion },
      { name: 'autoCreate', value: 'true' },
    ],
    { name: 'bom', fileName, contentType, data: bom },
  );
  if (url.startsWith('http:')) {
    tl.warning(`dependencyTrackUrl ${target.baseUrl} uses http, not https: the API key (X-Api-Key) and the SBOM are sent unencrypted. Use an https:// URL for the Dependency-Track API server.`);
  }
  return requestWithRetries({
    method: 'POST',
    url,
    headers: {
      'Content-Type': body.contentType,
      'Content-Length': String(body.length),
      Accept: 'application/json',
      'X-Api-Key': target.apiKey,
    },
    body: () => Readable.from(body.parts),
    followRedirects: false,
    policy,
    action: 'upload the SBOM to Dependency-Track',
    onResponse: async (response) => {
      const status = response.statusCode ?? 0;
      const text = await readText(response);
      // Only retryable statuses mention the attempts, and those never reach onResponse.
      if (status < 200 || status >= 300) throw describeFailure(status, text, target, bomBytes, 1, response.headers.location);
      // Dependency-Track answers {"token": "<uuid>"}; anything else is some other server.
      const token = parseToken(text);
      if (token) return { token };
      const shown = text.trim() ? ` Server said: ${oneLine(text, 300)}` : '';
      throw notTheApiServer(url, `HTTP ${status} without a Dependency-Track token${text.trim() ? '' : ' (empty body)'}`, shown);
    },
    onGiveUp: (failure, attempts) =>
      failure instanceof HttpStatusError
        ? describeFailure(failure.status, failure.body, target, bomBytes, attempts)
        : new UserError(
            `Could not upload the SBOM to Dependency-Track at ${url} after ${attempts} attempts (${oneLine(describeNetworkError(failure))}). ` +
              `Check dependencyTrackUrl, the server and the agent's network/proxy, then run the pipeline again.`,
          ),
  });
}
