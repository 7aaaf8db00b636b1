// A loopback Dependency-Track API for tests, playing the documented 4.x API (resources/v1 of
// DependencyTrack/dependency-track 4.13): POST /api/v1/bom (multipart/form-data: checks the
// X-Api-Key header, creates the project with autoCreate, answers `{"token": "<uuid>"}`), and the
// reads of a wait: GET /api/v1/event/token/{t} (4.11+) and /api/v1/bom/token/{t} (`{"processing"}`),
// /api/v1/project/lookup, /api/v1/metrics/project/{uuid}/refresh and /current (ProjectMetrics with
// epoch-ms lastOccurrence), /api/v1/violation/project/{uuid} (PolicyViolation[] + X-Total-Count).
// The `behaviour` object programs Dependency-Track's states and faults; `answers` programs raw
// replies (a frontend's 200 HTML page, a redirect, a connection reset) for the next requests.
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';

export interface MultipartPart {
  name: string;
  fileName?: string;
  contentType?: string;
  data: Buffer;
}

export interface ReceivedUpload {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed form parts in order; undefined when the body was not valid multipart. */
  parts?: MultipartPart[];
  fields: Record<string, string>;
  body: Buffer;
}

/** What the server does with the next request: a status (+ body, headers), or drop the connection. */
export type Answer = { status: number; body?: string; headers?: Record<string, string> } | { reset: true };

/** The endpoints, for per-endpoint faults. */
export type DtEndpoint = 'upload' | 'eventToken' | 'bomToken' | 'lookup' | 'refresh' | 'metrics' | 'violations';

export interface DtViolation {
  state: 'FAIL' | 'WARN' | 'INFO';
  policy: string;
  component: string;
  version?: string;
  type?: 'LICENSE' | 'SECURITY' | 'OPERATIONAL';
}

export interface DtBehaviour {
  /** token polls that answer processing: true before the first false (default 0) */
  processingPolls: number;
  /** false: a server older than 4.11, without /api/v1/event (404) */
  eventApi: boolean;
  /** true: the metrics stay those from before the upload until /refresh is asked for (DependencyTrack#460) */
  metricsStaleUntilRefresh: boolean;
  /** /refresh only queues the update (like Dependency-Track's Event.dispatch): it lands this much later */
  refreshDelayMs: number;
  /** vulnerability counts of the analysed SBOM */
  counts: { critical: number; high: number; medium: number; low: number; unassigned: number };
  violations: DtViolation[];
  /** answer 401 or 403 on these endpoints */
  refuse: Partial<Record<DtEndpoint, 401 | 403>>;
  /** never answer on this endpoint (the connection stays open) */
  hang?: DtEndpoint;
  /** the lookup answers 404 (the project is gone) */
  forgetProjects: boolean;
  /** upload fields answered with a 400 naming them (a server that does not take them) */
  rejectFields: string[];
  /** projects that exist before the run (parents, or a project with old metrics): "name@version" */
  existing: string[];
  /** the metrics of an existing project, from an hour before the run */
  oldCounts: DtBehaviour['counts'];
}

export interface DtProject {
  uuid: string;
  name: string;
  version: string;
  tags: string[];
  isLatest: boolean;
  parent?: string;
  /** the current metrics row: its lastOccurrence (undefined: none yet) and counts */
  metricsAt?: number;
  metricsCounts: DtBehaviour['counts'];
  /** the last upload has been processed */
  analysed: boolean;
}

export interface DependencyTrackServer {
  url: string;
  apiKey: string;
  received: ReceivedUpload[];
  /** Answers for the next requests, consumed in order; when empty the server behaves normally. */
  answers: Answer[];
  behaviour: DtBehaviour;
  /** projects by "name@version" */
  projects: Map<string, DtProject>;
  /** requests by endpoint, in order, e.g. ['upload', 'eventToken', 'eventToken', 'lookup', …] */
  log: DtEndpoint[];
  close(): Promise<void>;
}

/** Which documented endpoint a request is for, or undefined. */
function endpointOf(method: string, pathname: string): DtEndpoint | undefined {
  if (method === 'POST' && pathname === '/api/v1/bom') return 'upload';
  if (method !== 'GET') return undefined;
  if (/^\/api\/v1\/event\/token\/[^/]+$/.test(pathname)) return 'eventToken';
  if (/^\/api\/v1\/bom\/token\/[^/]+$/.test(pathname)) return 'bomToken';
  if (pathname === '/api/v1/project/lookup') return 'lookup';
  if (/^\/api\/v1\/metrics\/project\/[^/]+\/refresh$/.test(pathname)) return 'refresh';
  if (/^\/api\/v1\/metrics\/project\/[^/]+\/current$/.test(pathname)) return 'metrics';
  if (/^\/api\/v1\/violation\/project\/[^/]+$/.test(pathname)) return 'violations';
  return undefined;
}

/** Parses a multipart/form-data body (RFC 7578). Throws on malformed input. */
export function parseMultipart(body: Buffer, contentType: string | undefined): MultipartPart[] {
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  if (!match) throw new Error(`no multipart boundary in content-type '${contentType}'`);
  const boundary = Buffer.from(`--${match[1] ?? match[2]}`);
  const parts: MultipartPart[] = [];
  let pos = body.indexOf(boundary);
  if (pos !== 0) throw new Error('body does not start with the boundary');
  for (;;) {
    pos += boundary.length;
    if (body.subarray(pos, pos + 2).toString() === '--') break; // closing delimiter
    if (body.subarray(pos, pos + 2).toString() !== '\r\n') throw new Error('boundary not followed by CRLF');
    pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) throw new Error('part without header end');
    const headers = body.subarray(pos, headerEnd).toString('utf8').split('\r\n');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), boundary]), headerEnd + 4);
    if (next < 0) throw new Error('part without closing boundary');
    const disposition = headers.find((h) => /^content-disposition:/i.test(h)) ?? '';
    const name = /\bname="([^"]*)"/.exec(disposition)?.[1];
    if (name === undefined) throw new Error(`part without a name: ${disposition}`);
    const fileName = /\bfilename="([^"]*)"/.exec(disposition)?.[1];
    const contentTypeHeader = headers.find((h) => /^content-type:/i.test(h));
    parts.push({ name, fileName, contentType: contentTypeHeader?.split(':')[1].trim(), data: body.subarray(headerEnd + 4, next) });
    pos = next + 2;
  }
  return parts;
}

/** Starts the fake server on 127.0.0.1 (random port). */
export async function startDependencyTrackServer(apiKey = 'odt_test_key_0123456789', behaviour: Partial<DtBehaviour> = {}): Promise<DependencyTrackServer> {
  const received: ReceivedUpload[] = [];
  const answers: Answer[] = [];
  const log: DtEndpoint[] = [];
  const state: DtBehaviour = {
    processingPolls: 0,
    eventApi: true,
    metricsStaleUntilRefresh: false,
    refreshDelayMs: 0,
    counts: { critical: 0, high: 0, medium: 0, low: 0, unassigned: 0 },
    violations: [],
    refuse: {},
    forgetProjects: false,
    rejectFields: [],
    existing: [],
    oldCounts: { critical: 0, high: 0, medium: 0, low: 0, unassigned: 0 },
    ...behaviour,
  };
  const projects = new Map<string, DtProject>();
  const newProject = (name: string, version: string): DtProject => ({ uuid: randomUUID(), name, version, tags: [], isLatest: false, metricsCounts: state.counts, analysed: false });
  for (const key of state.existing) {
    const [name, version] = key.split('@');
    projects.set(key, { ...newProject(name, version), metricsAt: Date.now() - 3_600_000, metricsCounts: state.oldCounts, analysed: true });
  }
  /** What Dependency-Track's ProjectMetricsUpdateTask does: a current row with this moment as lastOccurrence. */
  const updateMetrics = (project: DtProject) => {
    if (!project.analysed) return;
    project.metricsAt = Date.now();
    project.metricsCounts = state.counts;
  };
  /** token → [project key, polls so far] */
  const tokens = new Map<string, { key: string; polls: number }>();
  const byUuid = (uuid: string) => [...projects.values()].find((p) => p.uuid === uuid);
  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));

  /** The documented reads of a wait. */
  function answerRead(endpoint: DtEndpoint, url: URL, res: http.ServerResponse): void {
    const segments = url.pathname.split('/');
    if (endpoint === 'eventToken' || endpoint === 'bomToken') {
      if (endpoint === 'eventToken' && !state.eventApi) {
        res.writeHead(404).end();
        return;
      }
      const entry = tokens.get(decodeURIComponent(segments[5]));
      // Dependency-Track answers false for a token it does not know, too.
      const processing = entry ? entry.polls++ < state.processingPolls : false;
      if (entry && !processing) {
        const project = projects.get(entry.key)!;
        project.analysed = true;
        if (!state.metricsStaleUntilRefresh) updateMetrics(project);
      }
      json(res, 200, { processing });
      return;
    }
    if (endpoint === 'lookup') {
      const project = state.forgetProjects ? undefined : projects.get(`${url.searchParams.get('name')}@${url.searchParams.get('version')}`);
      if (!project) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('The project could not be found.');
        return;
      }
      json(res, 200, { uuid: project.uuid, name: project.name, version: project.version, classifier: 'APPLICATION', active: true, isLatest: project.isLatest, tags: project.tags.map((name) => ({ name })) });
      return;
    }
    const project = byUuid(decodeURIComponent(segments[5]));
    if (!project) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('The project could not be found.');
      return;
    }
    if (endpoint === 'refresh') {
      if (state.refreshDelayMs) setTimeout(() => updateMetrics(project), state.refreshDelayMs).unref();
      else updateMetrics(project);
      res.writeHead(200).end();
      return;
    }
    if (endpoint === 'metrics') {
      if (project.metricsAt === undefined) {
        res.writeHead(204).end(); // Response.ok(null): no metrics yet
        return;
      }
      const c = project.metricsCounts;
      const vulnerabilities = c.critical + c.high + c.medium + c.low + c.unassigned;
      const inState = (s: string) => (project.analysed ? state.violations.filter((v) => v.state === s).length : 0);
      json(res, 200, {
        ...c,
        vulnerabilities,
        vulnerableComponents: vulnerabilities ? 1 : 0,
        components: 3,
        suppressed: 0,
        findingsTotal: vulnerabilities,
        findingsAudited: 0,
        findingsUnaudited: vulnerabilities,
        inheritedRiskScore: c.critical * 10 + c.high * 5,
        policyViolationsFail: inState('FAIL'),
        policyViolationsWarn: inState('WARN'),
        policyViolationsInfo: inState('INFO'),
        policyViolationsTotal: project.analysed ? state.violations.length : 0,
        firstOccurrence: project.metricsAt,
        lastOccurrence: project.metricsAt,
      });
      return;
    }
    const list = project.analysed ? state.violations : [];
    json(
      res,
      200,
      list.map((v) => ({
        type: v.type ?? 'SECURITY',
        uuid: randomUUID(),
        timestamp: Date.now(),
        component: { uuid: randomUUID(), name: v.component, version: v.version ?? '1.0.0', purl: `pkg:npm/${v.component}@${v.version ?? '1.0.0'}` },
        policyCondition: { uuid: randomUUID(), operator: 'IS', subject: 'SEVERITY', value: 'CRITICAL', policy: { uuid: randomUUID(), name: v.policy, operator: 'ANY', violationState: v.state } },
      })),
      { 'X-Total-Count': String(list.length) },
    );
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let parts: MultipartPart[] | undefined;
      try {
        parts = parseMultipart(body, req.headers['content-type']);
      } catch {
        parts = undefined;
      }
      const fields: Record<string, string> = {};
      for (const p of parts ?? []) if (p.fileName === undefined) fields[p.name] = p.data.toString('utf8');
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, parts, fields, body });

      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const endpoint = endpointOf(req.method ?? '', url.pathname);
      if (endpoint) log.push(endpoint);
      const answer = answers.shift();
      if (answer && 'reset' in answer) {
        req.socket.destroy();
        return;
      }
      if (answer) {
        res.writeHead(answer.status, { 'Content-Type': 'text/plain', ...answer.headers }).end(answer.body ?? '');
        return;
      }
      if (!endpoint) {
        res.writeHead(404).end();
        return;
      }
      if (state.hang === endpoint) return; // never answers; close() drops the connection
      if (req.headers['x-api-key'] !== apiKey) {
        res.writeHead(401).end();
        return;
      }
      const refused = state.refuse[endpoint];
      if (refused) {
        res.writeHead(refused, { 'Content-Type': 'text/plain' }).end(refused === 403 ? 'Forbidden' : '');
        return;
      }
      if (endpoint !== 'upload') {
        answerRead(endpoint, url, res);
        return;
      }
      if (!parts || !parts.some((p) => p.name === 'bom')) {
        res.writeHead(400, { 'Content-Type': 'text/plain' }).end('The uploaded BOM is invalid');
        return;
      }
      const rejected = state.rejectFields.filter((f) => f in fields);
      if (rejected.length) {
        res.writeHead(400, { 'Content-Type': 'text/plain' }).end(`Unrecognized field "${rejected[0]}"`);
        return;
      }
      if (fields.parentName && !projects.has(`${fields.parentName}@${fields.parentVersion ?? ''}`) && ![...projects.values()].some((p) => p.name === fields.parentName && !fields.parentVersion)) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('The parent component could not be found.');
        return;
      }
      const key = `${fields.projectName}@${fields.projectVersion}`;
      const project = projects.get(key) ?? newProject(fields.projectName, fields.projectVersion);
      projects.set(key, project);
      project.tags = (fields.projectTags ?? '').split(',').map((t) => t.trim()).filter(Boolean);
      project.isLatest = fields.isLatest === 'true';
      project.parent = fields.parentName;
      project.analysed = false;
      const token = randomUUID();
      tokens.set(token, { key, polls: 0 });
      json(res, 200, { token });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    received,
    answers,
    behaviour: state,
    projects,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
