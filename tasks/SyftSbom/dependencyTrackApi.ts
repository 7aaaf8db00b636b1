// I/O adapter: the Dependency-Track reads of the wait (DependencyTrackApi) over the shared retrying
// client, so the agent's proxy and certificate settings apply. Every request ends by the wait's
// deadline. Answers are turned into the small shapes of dependencyTrackGate.ts; a 401/403 names
// the permission that endpoint needs.
import { IncomingMessage } from 'node:http';
import { UserError } from '../common/errors';
import { describeNetworkError, readText, requestWithRetries, RetryPolicy } from '../common/http';
import { HttpStatusError } from '../common/retry';
import { oneLine } from '../common/text';
import type { DependencyTrackTarget } from './dependencyTrack';
import { DeadlineReached, DependencyTrackApi, PolicyViolation, ProjectMetrics, ProjectRef } from './dependencyTrackGate';

/** Reads are small: a short back-off; the wait's deadline bounds them anyway. */
export const READ_POLICY: RetryPolicy = { attempts: 4, baseDelayMs: 1000, socketTimeoutMs: 2 * 60_000 };

/** What one endpoint needs and is for, for its error messages. */
interface Endpoint {
  path: string;
  /** the permission it needs, or undefined (any valid key) */
  permission?: string;
  /** what the task reads it for: "to read the project's metrics" */
  purpose: string;
}

type Answer = { status: number; text: string; response: IncomingMessage };

/** A 401/403: the key lacks what the endpoint needs. */
class PermissionRefused extends UserError {}

function parseJson(url: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UserError(`${url} answered with something that is not JSON (${oneLine(text, 200) || 'empty body'}), so it is not the Dependency-Track API server. Check the server address.`);
  }
}

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
const str = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));

/** `GET /api/v1/metrics/project/{uuid}/current` → ProjectMetrics; undefined for no metrics yet. Pure. */
export function parseMetrics(json: unknown): ProjectMetrics | undefined {
  if (!json || typeof json !== 'object') return undefined;
  const m = json as Record<string, unknown>;
  const last = typeof m.lastOccurrence === 'number' ? m.lastOccurrence : typeof m.lastOccurrence === 'string' ? Date.parse(m.lastOccurrence) : NaN;
  if (!Number.isFinite(last)) return undefined;
  return { critical: num(m.critical), high: num(m.high), medium: num(m.medium), low: num(m.low), unassigned: num(m.unassigned), lastOccurrence: last };
}

/** `GET /api/v1/violation/project/{uuid}` → PolicyViolation[]. Pure. */
export function parseViolations(json: unknown): PolicyViolation[] {
  if (!Array.isArray(json)) return [];
  return json.map((entry: Record<string, any>) => {
    const component = entry?.component ?? {};
    const policy = entry?.policyCondition?.policy ?? {};
    const name = [str(component.group), str(component.name)].filter(Boolean).join('/');
    return {
      policy: str(policy.name) || '(unnamed policy)',
      state: str(policy.violationState).toUpperCase() || 'INFO',
      type: str(entry?.type),
      component: component.version ? `${name}@${str(component.version)}` : name,
    };
  });
}

/** The wait's reads against `target`, each ending by `deadlineAt` (epoch ms). */
export function dependencyTrackApi(target: DependencyTrackTarget, deadlineAt: number, policy: RetryPolicy = READ_POLICY): DependencyTrackApi {
  const project = `project '${target.projectName}' version '${target.projectVersion}'`;

  function refused(endpoint: Endpoint, url: string, status: number, text: string): PermissionRefused {
    const detail = text.trim() ? ` Server said: ${oneLine(text, 200)}` : '';
    const needs = endpoint.permission
      ? `must belong to a team with the ${endpoint.permission} permission ${endpoint.purpose}${status === 403 ? `, and access to ${project} if portfolio access control is on` : ''} ` +
        `(Dependency-Track: Administration → Access Management → Teams)`
      : `must be a valid Dependency-Track API key, needed ${endpoint.purpose}`;
    return new PermissionRefused(`Dependency-Track refused the request (HTTP ${status} from ${url}): ${target.keyName} ${needs}. The SBOM was uploaded; only the wait for its analysis failed.${detail}`);
  }

  async function get(endpoint: Endpoint, handle: (answer: Answer, url: string) => unknown): Promise<any> {
    const url = `${target.baseUrl}${endpoint.path}`;
    return requestWithRetries({
      method: 'GET',
      url,
      headers: { Accept: 'application/json', 'X-Api-Key': target.apiKey },
      followRedirects: false,
      policy,
      action: `read ${endpoint.path.replace(/\?.*/, '')} from Dependency-Track`,
      deadline: { at: deadlineAt, onExpired: () => new DeadlineReached() },
      onResponse: async (response) => {
        const status = response.statusCode ?? 0;
        const text = await readText(response);
        if (status === 401 || status === 403) throw refused(endpoint, url, status, text);
        return handle({ status, text, response }, url);
      },
      onGiveUp: (failure, attempts) =>
        failure instanceof HttpStatusError
          ? new UserError(`Dependency-Track failed with HTTP ${failure.status} from ${url} after ${attempts} attempt(s) while the task waited for the analysis. Check the server's health and logs.${failure.body.trim() ? ` Server said: ${oneLine(failure.body, 200)}` : ''}`)
          : new UserError(`Could not reach Dependency-Track at ${url} after ${attempts} attempts (${oneLine(describeNetworkError(failure))}) while the task waited for the analysis. Check the server and the agent's network/proxy.`),
    });
  }

  function unexpected({ status, text }: Answer, url: string): UserError {
    return new UserError(`Dependency-Track answered HTTP ${status} from ${url}, which the task cannot use.${text.trim() ? ` Server said: ${oneLine(text, 200)}` : ''}`);
  }

  function processing(answer: Answer, url: string): boolean {
    if (answer.status !== 200) throw unexpected(answer, url);
    const value = (parseJson(url, answer.text) as { processing?: unknown } | null)?.processing;
    if (typeof value !== 'boolean') throw new UserError(`${url} answered without a processing flag (${oneLine(answer.text, 200)}), so it is not the Dependency-Track API server. Check the server address.`);
    return value;
  }

  const tokenPath = (kind: 'event' | 'bom', token: string) => `/api/v1/${kind}/token/${encodeURIComponent(token)}`;
  const uuidPath = (prefix: string, uuid: string, suffix = '') => `${prefix}/${encodeURIComponent(uuid)}${suffix}`;

  return {
    eventTokenProcessing: (token) =>
      get({ path: tokenPath('event', token), purpose: 'to follow the processing of the SBOM' }, (answer, url) => (answer.status === 404 ? undefined : processing(answer, url))),
    bomTokenProcessing: (token) =>
      get({ path: tokenPath('bom', token), permission: 'BOM_UPLOAD', purpose: 'to follow the processing of the SBOM' }, (answer, url) => {
        if (answer.status === 404) throw new UserError(`${url} answered HTTP 404, and so did /api/v1/event/token: this server does not let the task follow the processing of the SBOM. Check the server address (the API server's), or set dependencyTrackWait to false.`);
        return processing(answer, url);
      }),
    lookupProject: (name, version) =>
      get(
        { path: `/api/v1/project/lookup?name=${encodeURIComponent(name)}&version=${encodeURIComponent(version)}`, permission: 'VIEW_PORTFOLIO', purpose: 'to find the project and read its metrics' },
        (answer, url): ProjectRef => {
          if (answer.status === 404) {
            throw new UserError(
              `Dependency-Track has no ${project} (HTTP 404 from ${url}), although it accepted the SBOM for it. The project may have been renamed or deleted meanwhile, ` +
                `or another server answered; check the project in Dependency-Track and ${target.source}.`,
            );
          }
          if (answer.status !== 200) throw unexpected(answer, url);
          const uuid = str((parseJson(url, answer.text) as { uuid?: unknown } | null)?.uuid);
          if (!/^[0-9a-f-]{36}$/i.test(uuid)) throw new UserError(`${url} answered without a project UUID (${oneLine(answer.text, 200)}), so it is not the Dependency-Track API server. Check the server address.`);
          return { uuid, name, version };
        },
      ),
    refreshMetrics: async (uuid) => {
      try {
        return await get({ path: uuidPath('/api/v1/metrics/project', uuid, '/refresh'), permission: 'PORTFOLIO_MANAGEMENT', purpose: 'to refresh the metrics' }, (answer, url) => {
          if (answer.status >= 200 && answer.status < 300) return true;
          throw unexpected(answer, url);
        });
      } catch (err) {
        // Optional: Dependency-Track updates the metrics itself after its policy evaluation.
        if (err instanceof PermissionRefused) return false;
        throw err;
      }
    },
    currentMetrics: (uuid) =>
      get({ path: uuidPath('/api/v1/metrics/project', uuid, '/current'), permission: 'VIEW_PORTFOLIO', purpose: "to read the project's vulnerability metrics" }, (answer, url) => {
        if (answer.status === 204 || (answer.status === 200 && !answer.text.trim())) return undefined;
        if (answer.status === 404) throw new UserError(`Dependency-Track no longer has ${project} (HTTP 404 from ${url}): it was deleted while the task waited for its metrics.`);
        if (answer.status !== 200) throw unexpected(answer, url);
        return parseMetrics(parseJson(url, answer.text));
      }),
    violations: (uuid) =>
      get({ path: uuidPath('/api/v1/violation/project', uuid), permission: 'VIEW_POLICY_VIOLATION', purpose: "to read the project's policy violations" }, (answer, url) => {
        if (answer.status === 404) throw new UserError(`Dependency-Track no longer has ${project} (HTTP 404 from ${url}): it was deleted while the task read its policy violations.`);
        if (answer.status !== 200) throw unexpected(answer, url);
        return parseViolations(parseJson(url, answer.text));
      }),
  };
}
