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
  /** Where URL and key come from, for messages: `service connection 'dt-prod'` or `dependencyTrackUrl`. */
  source: string;
  /** What to fix when the key is refused: `The API key of service connection 'dt-prod'` or `The key in dependencyTrackApiKey`. */
  keyName: string;
  projectName: string;
  projectVersion: string;
  /** Upload options (multipart fields), sent only when set. */
  tags?: string[];
  parentName?: string;
  parentVersion?: string;
  isLatest?: boolean;
}

/** The optional upload fields and the Dependency-Track version that introduced each one. */
const FIELD_MINIMUM_VERSION: Record<string, string> = { projectTags: '4.12', isLatest: '4.12', parentName: '4.8', parentVersion: '4.8' };

/** The multipart fields of the upload: project, autoCreate, then the options that are set. Pure. */
export function uploadFields(target: DependencyTrackTarget): MultipartField[] {
  const fields: MultipartField[] = [
    { name: 'projectName', value: target.projectName },
    { name: 'projectVersion', value: target.projectVersion },
    { name: 'autoCreate', value: 'true' },
  ];
  if (target.tags?.length) fields.push({ name: 'projectTags', value: target.tags.join(',') });
  if (target.parentName) fields.push({ name: 'parentName', value: target.parentName });
  if (target.parentName && target.parentVersion) fields.push({ name: 'parentVersion', value: target.parentVersion });
  if (target.isLatest) fields.push({ name: 'isLatest', value: 'true' });
  return fields;
}

/**
 * Checks and normalises `dependencyTrackUrl`: an absolute http(s) URL of the API server, without
 * credentials (parseHttpUrl's rules) and without a query or fragment. A trailing `/`, `/api`,
 * `/api/v1` or `/api/v1/bom` is accepted and removed. Pure.
 */
export function normaliseDependencyTrackUrl(raw: string, name = 'dependencyTrackUrl'): string {
  let checked: string | undefined;
  try {
    checked = parseHttpUrl(name, raw);
  } catch {
    // reported below: parseHttpUrl's advice is about download mirrors, this gives Dependency-Track's
  }
  if (!checked) {
    // Never echo credentials into the log.
    const shown = raw.trim().replace(/\/\/[^/?#]*@/, '//');
    throw new UserError(
      `${name} '${shown}' is not a valid URL: it must start with https:// (or http://) and must not contain credentials ` +
        `(the API key goes in dependencyTrackApiKey, from a secret variable, or in the service connection). Use the address of the Dependency-Track API server, e.g. https://dtrack.example.com or https://dtrack.example.com/api-server.`,
    );
  }
  const url = new URL(checked);
  if (url.search || url.hash) throw new UserError(`${name} '${checked}' must not have a query or fragment.`);
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

/** 4 attempts, 2 s back-off doubling; the caller's deadline bounds the whole upload. */
export const UPLOAD_POLICY: UploadPolicy = { attempts: 4, baseDelayMs: 2000, socketTimeoutMs: 5 * 60_000 };

export interface UploadResult {
  /** Dependency-Track's processing token: its answer always carries one. */
  token: string;
  /**
   * When the server accepted the upload, by its own clock (the answer's Date header, whole
   * seconds), else the agent's clock when the upload started: metrics newer than this include it.
   */
  acceptedAt: number;
}

/**
 * The advice for an answer that did not come from the Dependency-Track API server (a frontend, a
 * login page, a redirect). Pure.
 */
function notTheApiServer(url: string, answer: string, detail: string, source: string): UserError {
  return new UserError(
    `${url} answered ${answer}, so ${source} is not the address of the Dependency-Track API server; the SBOM was not uploaded. ` +
      `Set ${source} to the API server's address (not the frontend's or a login page), e.g. https://dtrack.example.com or https://dtrack.example.com/api-server.${detail}`,
  );
}

/** The user-facing error for a non-2xx answer that retrying will not fix (or that kept failing). Pure. */
export function describeFailure(status: number, body: string, target: DependencyTrackTarget, bomBytes: number, attempts: number, location?: string): UserError {
  const url = `${target.baseUrl}/api/v1/bom`;
  const detail = body.trim() ? ` Server said: ${oneLine(body, 300)}` : '';
  if (status === 401 || status === 403) {
    return new UserError(
      `Dependency-Track refused the API key (HTTP ${status} from ${url}). ${target.keyName} must be valid and belong to a team with the ` +
        `BOM_UPLOAD permission, plus PROJECT_CREATION_UPLOAD so that project '${target.projectName}' can be created automatically` +
        `${target.parentName ? `, and access to the parent project '${target.parentName}'` : ''} ` +
        `(Dependency-Track: Administration → Access Management → Teams).${detail}`,
    );
  }
  if (status === 413) {
    return new UserError(
      `Dependency-Track (or a proxy in front of it) rejected the SBOM as too large (HTTP 413, ${formatBytes(bomBytes)}). ` +
        `Raise the server's upload limit (e.g. the reverse proxy's request body limit), or upload a smaller SBOM.${detail}`,
    );
  }
  if (status === 404 && target.parentName && /parent/i.test(body)) {
    return new UserError(
      `Dependency-Track has no parent project '${target.parentName}'${target.parentVersion ? ` version '${target.parentVersion}'` : ''} (HTTP 404 from ${url}); the SBOM was not uploaded. ` +
        `Create the parent project first, or correct dependencyTrackParentName/dependencyTrackParentVersion.${detail}`,
    );
  }
  if (status === 404) {
    return new UserError(`There is no Dependency-Track BOM API at ${url} (HTTP 404). Set ${target.source} to the API server's address (not the frontend's).${detail}`);
  }
  if (status === 405) return notTheApiServer(url, 'HTTP 405 (method not allowed)', detail, target.source);
  if (status >= 300 && status < 400) {
    return notTheApiServer(url, `HTTP ${status}, a redirect${location ? ` to ${oneLine(location.replace(/[?#].*/s, '').replace(/\/\/[^/]*@/, '//'), 200)}` : ''}`, detail, target.source);
  }
  if (status === 400) {
    const options = uploadFields(target).filter((f) => FIELD_MINIMUM_VERSION[f.name]);
    const named = options.filter((f) => new RegExp(`\\b${f.name}\\b`, 'i').test(body));
    const suspects = named.length ? named : options;
    const versions = suspects.length
      ? ` The upload used ${suspects.map((f) => `${f.name} (Dependency-Track ${FIELD_MINIMUM_VERSION[f.name]} or later)`).join(', ')}: ` +
        `if the server is older than that, upgrade it or clear the matching input (${suspects.map((f) => inputOf(f.name)).join(', ')}).`
      : '';
    return new UserError(`Dependency-Track rejected the upload (HTTP 400 from ${url}): the BOM or the project fields are not accepted.${versions}${detail}`);
  }
  if (status >= 500 || status === 429 || status === 408) {
    return new UserError(`Dependency-Track failed with HTTP ${status} from ${url} after ${attempts} attempt(s). Check the server's health and logs, then run the pipeline again.${detail}`);
  }
  return new UserError(`Dependency-Track answered HTTP ${status} from ${url}; the SBOM was not uploaded.${detail}`);
}

/** The task input behind an optional upload field. Pure. */
function inputOf(field: string): string {
  return { projectTags: 'dependencyTrackProjectTags', isLatest: 'dependencyTrackIsLatest', parentName: 'dependencyTrackParentName', parentVersion: 'dependencyTrackParentVersion' }[field] ?? field;
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

/** `Date` header → epoch ms, or undefined when absent or unreadable. Pure. */
function serverTime(date: string | undefined): number | undefined {
  const time = date ? Date.parse(date) : NaN;
  return Number.isFinite(time) ? time : undefined;
}

/**
 * `POST <base>/api/v1/bom` (multipart: projectName, projectVersion, autoCreate=true, the upload
 * options that are set, bom) with the `X-Api-Key` header, through the agent's proxy and
 * certificate settings. 5xx, 408/429 and connection failures are retried with back-off; anything
 * else fails at once with a clear error. The whole upload, retries included, ends by
 * `timeoutMinutes`. The key is registered as a secret by the caller before this runs and is never logged.
 */
export async function uploadBom(
  target: DependencyTrackTarget,
  bom: Buffer | Buffer[],
  fileName: string,
  contentType: string,
  timeoutMinutes: number,
  policy: UploadPolicy = UPLOAD_POLICY,
): Promise<UploadResult> {
  const url = `${target.baseUrl}/api/v1/bom`;
  const bomBytes = Array.isArray(bom) ? bom.reduce((n, b) => n + b.length, 0) : bom.length;
  const body = multipartBody(uploadFields(target), { name: 'bom', fileName, contentType, data: bom });
  if (url.startsWith('http:')) {
    tl.warning(`${target.baseUrl} (${target.source}) uses http, not https: the API key (X-Api-Key) and the SBOM are sent unencrypted. Use an https:// URL for the Dependency-Track API server.`);
  }
  const startedAt = Date.now();
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
    deadline: {
      at: startedAt + timeoutMinutes * 60_000,
      onExpired: () =>
        new UserError(
          `The upload of the SBOM (${formatBytes(bomBytes)}) to Dependency-Track at ${url} did not finish within dependencyTrackTimeoutMinutes (${timeoutMinutes} min), retries included; the server stopped answering or is too slow. ` +
            `Check the server's health and the agent's network/proxy, or raise dependencyTrackTimeoutMinutes.`,
        ),
    },
    onResponse: async (response) => {
      const status = response.statusCode ?? 0;
      const text = await readText(response);
      // Only retryable statuses mention the attempts, and those never reach onResponse.
      if (status < 200 || status >= 300) throw describeFailure(status, text, target, bomBytes, 1, response.headers.location);
      // Dependency-Track answers {"token": "<uuid>"}; anything else is some other server.
      const token = parseToken(text);
      if (token) return { token, acceptedAt: serverTime(response.headers.date) ?? startedAt };
      const shown = text.trim() ? ` Server said: ${oneLine(text, 300)}` : '';
      throw notTheApiServer(url, `HTTP ${status} without a Dependency-Track token${text.trim() ? '' : ' (empty body)'}`, shown, target.source);
    },
    onGiveUp: (failure, attempts) =>
      failure instanceof HttpStatusError
        ? describeFailure(failure.status, failure.body, target, bomBytes, attempts)
        : new UserError(
            `Could not upload the SBOM to Dependency-Track at ${url} after ${attempts} attempts (${oneLine(describeNetworkError(failure))}). ` +
              `Check ${target.source}, the server and the agent's network/proxy, then run the pipeline again.`,
          ),
  });
}
