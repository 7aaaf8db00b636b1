import * as assert from 'assert';
import { UserError } from '../../tasks/common/errors';
import { DependencyTrackTarget, describeFailure, multipartBody, normaliseDependencyTrackUrl, uploadBom, UploadPolicy } from '../../tasks/SyftSbom/dependencyTrack';
import { dependencyTrackApi } from '../../tasks/SyftSbom/dependencyTrackApi';
import { DeadlineReached } from '../../tasks/SyftSbom/dependencyTrackGate';
import { DependencyTrackServer, DtEndpoint, parseMultipart, startDependencyTrackServer } from '../harness/dependencyTrackServer';
import { captureStdout } from '../harness/capture';

const FAST: UploadPolicy = { attempts: 3, baseDelayMs: 1, socketTimeoutMs: 10_000 };
const BOM = Buffer.from('{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"name":"é"}]}\r\n--not-a-boundary\r\n');

describe('syft Dependency-Track: multipart body (pure)', () => {
  it('builds RFC 7578 form-data that a parser reads back field by field', () => {
    const body = multipartBody(
      [
        { name: 'projectName', value: 'my "app"' },
        { name: 'autoCreate', value: 'true' },
      ],
      { name: 'bom', fileName: 'sbom.cdx.json', contentType: 'application/json', data: BOM },
      'XyZ',
    );
    assert.strictEqual(body.contentType, 'multipart/form-data; boundary=XyZ');
    const data = Buffer.concat(body.parts);
    assert.strictEqual(body.length, data.length);
    assert.ok(body.parts[1] === BOM, 'the SBOM is not copied');
    assert.ok(data.toString().startsWith('--XyZ\r\nContent-Disposition: form-data; name="projectName"\r\n\r\nmy "app"\r\n'));
    const parts = parseMultipart(data, body.contentType);
    assert.deepStrictEqual(
      parts.map((p) => [p.name, p.fileName, p.contentType, p.data.toString()]),
      [
        ['projectName', undefined, undefined, 'my "app"'],
        ['autoCreate', undefined, undefined, 'true'],
        ['bom', 'sbom.cdx.json', 'application/json', BOM.toString()],
      ],
    );
  });

  it('uses a random boundary by default', () => {
    const a = multipartBody([], { name: 'bom', fileName: 'b', contentType: 'application/json', data: Buffer.from('x') });
    const b = multipartBody([], { name: 'bom', fileName: 'b', contentType: 'application/json', data: Buffer.from('x') });
    assert.notStrictEqual(a.contentType, b.contentType);
  });
});

describe('syft Dependency-Track: URL (pure)', () => {
  it('strips /api/v1/bom and trailing slashes; keeps a path prefix and the port', () => {
    assert.strictEqual(normaliseDependencyTrackUrl(' https://dt.example.com/api/v1/bom/ '), 'https://dt.example.com');
    assert.strictEqual(normaliseDependencyTrackUrl('http://h:8081/dtrack/api'), 'http://h:8081/dtrack');
  });

  it('rejects what parseHttpUrl rejects, with Dependency-Track advice and without echoing credentials', () => {
    for (const raw of ['dt.example.com', 'ftp://dt.example.com', 'https://user:s3cret@dt.example.com']) {
      assert.throws(
        () => normaliseDependencyTrackUrl(raw),
        (e: Error) => e instanceof UserError && /is not a valid URL: it must start with https:\/\/.*must not contain credentials.*dependencyTrackApiKey/.test(e.message) && !e.message.includes('s3cret'),
      );
    }
    assert.throws(() => normaliseDependencyTrackUrl('https://dt.example.com/#x'), /must not have a query or fragment/);
  });
});

describe('syft Dependency-Track: upload against a loopback server', () => {
  let server: DependencyTrackServer;
  let target: DependencyTrackTarget;
  beforeEach(async () => {
    server = await startDependencyTrackServer();
    target = { baseUrl: server.url, apiKey: server.apiKey, source: 'dependencyTrackUrl', keyName: 'The key in dependencyTrackApiKey', projectName: 'my-repo', projectVersion: 'main' };
  });
  afterEach(() => server.close());

  it('POST /api/v1/bom with X-Api-Key and projectName, projectVersion, autoCreate, bom; returns the token', async () => {
    const result = await uploadBom(target, BOM, 'app.cdx.json', 'application/json', 1, FAST);
    assert.match(result.token!, /^[0-9a-f-]{36}$/);
    assert.strictEqual(server.received.length, 1);
    const [req] = server.received;
    assert.strictEqual(req.method, 'POST');
    assert.strictEqual(req.url, '/api/v1/bom');
    assert.strictEqual(req.headers['x-api-key'], server.apiKey);
    assert.strictEqual(req.headers['content-length'], String(req.body.length));
    assert.deepStrictEqual(req.fields, { projectName: 'my-repo', projectVersion: 'main', autoCreate: 'true' });
    const bom = req.parts!.find((p) => p.name === 'bom')!;
    assert.deepStrictEqual([bom.fileName, bom.contentType], ['app.cdx.json', 'application/json']);
    assert.deepStrictEqual(bom.data, BOM);
  });

  for (const status of [401, 403]) {
    it(`${status}: a clear error about the key's permissions, not retried`, async () => {
      server.answers.push({ status, body: 'Forbidden' });
      await assert.rejects(uploadBom(target, BOM, 'a.cdx.json', 'application/json', 1, FAST), (e: Error) => {
        assert.ok(e instanceof UserError);
        assert.match(e.message, new RegExp(`HTTP ${status}.*BOM_UPLOAD.*PROJECT_CREATION_UPLOAD`));
        assert.ok(!e.message.includes(server.apiKey));
        return true;
      });
      assert.strictEqual(server.received.length, 1);
    });
  }

  it('a wrong key (the server answers 401) is reported the same way', async () => {
    await assert.rejects(uploadBom({ ...target, apiKey: 'wrong' }, BOM, 'a.cdx.json', 'application/json', 1, FAST), /HTTP 401.*BOM_UPLOAD/);
  });

  it('413: a clear error about the server upload limit, with the SBOM size', async () => {
    server.answers.push({ status: 413 });
    await assert.rejects(uploadBom(target, BOM, 'a.cdx.json', 'application/json', 1, FAST), /too large \(HTTP 413, \d+ B\).*upload limit/);
    assert.strictEqual(server.received.length, 1);
  });

  it('5xx is retried, then succeeds', async () => {
    server.answers.push({ status: 500 }, { status: 503 });
    const result = await uploadBom(target, BOM, 'a.cdx.json', 'application/json', 1, FAST);
    assert.ok(result.token);
    assert.strictEqual(server.received.length, 3);
    assert.deepStrictEqual(server.received[2].parts!.find((p) => p.name === 'bom')!.data, BOM, 'the body is complete on a retry');
  });

  it('5xx on every attempt: a clear error naming the status and the attempts; body text is neutralised', async () => {
    server.answers.push({ status: 500, body: 'boom' }, { status: 502 }, { status: 500, body: '##vso[task.complete result=Succeeded]oops' });
    await assert.rejects(uploadBom(target, BOM, 'a.cdx.json', 'application/json', 1, FAST), (e: Error) => {
      assert.match(e.message, /HTTP 500 .* after 3 attempt\(s\)/);
      assert.ok(!e.message.includes('##vso['));
      return true;
    });
  });

  it('a connection reset is retried, then a clear error', async () => {
    server.answers.push({ reset: true });
    assert.ok((await uploadBom(target, BOM, 'a.cdx.json', 'application/json', 1, FAST)).token);
    server.answers.push({ reset: true }, { reset: true }, { reset: true });
    await assert.rejects(uploadBom(target, BOM, 'a.cdx.json', 'application/json', 1, FAST), /after 3 attempts .*(ECONNRESET|socket hang up)/);
  });

  it('an http:// URL works but warns that the API key travels in cleartext; the key is not shown', async () => {
    const { log, error } = await captureStdout(async () => assert.ok((await uploadBom(target, BOM, 'a.cdx.json', 'application/json', 1, FAST)).token));
    assert.ifError(error);
    assert.strictEqual(server.received.length, 1);
    assert.match(log, new RegExp(`##vso\\[task\\.issue type=warning;[^\\]]*\\]${target.baseUrl} \\(dependencyTrackUrl\\) uses http, not https: the API key \\(X-Api-Key\\) .* unencrypted`));
    assert.ok(!log.includes(server.apiKey));
  });

  it('an https:// URL does not warn about cleartext', async () => {
    const { log } = await captureStdout(() => uploadBom({ ...target, baseUrl: 'https://127.0.0.1:1' }, BOM, 'a.cdx.json', 'application/json', 1, { ...FAST, attempts: 1 }));
    assert.doesNotMatch(log, /type=warning/);
  });

  const notApiServer = /answered HTTP \d+.*not the address of the Dependency-Track API server; the SBOM was not uploaded\. Set dependencyTrackUrl to the API server's address/;
  const replies: [string, { status: number; body?: string; headers?: Record<string, string> }, RegExp][] = [
    ['200 with the frontend\'s HTML', { status: 200, body: '<!DOCTYPE html><html><title>Dependency-Track</title></html>', headers: { 'Content-Type': 'text/html' } }, /HTTP 200 without a Dependency-Track token.*Server said: <!DOCTYPE html>/],
    ['200 JSON without a token', { status: 200, body: '{"status":"ok"}', headers: { 'Content-Type': 'application/json' } }, /HTTP 200 without a Dependency-Track token/],
    ['204 without a body', { status: 204 }, /HTTP 204 without a Dependency-Track token \(empty body\)/],
    ['405', { status: 405, body: 'Method Not Allowed' }, /HTTP 405 \(method not allowed\)/],
    ['302 to a login page', { status: 302, headers: { Location: 'https://sso.example.com/login?return=/api/v1/bom&state=s3cret' } }, /HTTP 302, a redirect to https:\/\/sso\.example\.com\/login,/],
  ];
  for (const [name, answer, expected] of replies) {
    it(`${name}: not the API server, not an accepted upload; not retried`, async () => {
      server.answers.push(answer);
      await assert.rejects(uploadBom(target, BOM, 'a.cdx.json', 'application/json', 1, FAST), (e: Error) => {
        assert.ok(e instanceof UserError, String(e));
        assert.match(e.message, notApiServer);
        assert.match(e.message, expected);
        assert.ok(!e.message.includes('s3cret'));
        return true;
      });
      assert.strictEqual(server.received.length, 1);
    });
  }

  it('404 and 400 explain what to check', () => {
    assert.match(describeFailure(404, '', target, 1, 1).message, /no Dependency-Track BOM API.*API server/);
    assert.match(describeFailure(400, 'The uploaded BOM is invalid', target, 1, 1).message, /HTTP 400.*Server said: The uploaded BOM is invalid/);
  });
});

describe('syft Dependency-Track: upload options and deadline (loopback server)', () => {
  let server: DependencyTrackServer;
  let target: DependencyTrackTarget;
  beforeEach(async () => {
    server = await startDependencyTrackServer(undefined, { existing: ['platform@2'] });
    target = { baseUrl: server.url, apiKey: server.apiKey, source: "service connection 'dt'", keyName: "The API key of service connection 'dt'", projectName: 'shop', projectVersion: '1.0' };
  });
  afterEach(() => server.close());

  it('sends projectTags, parentName, parentVersion and isLatest only when set; the server records them', async () => {
    await uploadBom(target, BOM, 'a.cdx.json', 'application/json', 1, FAST);
    assert.deepStrictEqual(Object.keys(server.received[0].fields), ['projectName', 'projectVersion', 'autoCreate']);
    const result = await uploadBom({ ...target, tags: ['team-a', 'prod'], parentName: 'platform', parentVersion: '2', isLatest: true }, BOM, 'a.cdx.json', 'application/json', 1, FAST);
    assert.deepStrictEqual(server.received[1].fields, { projectName: 'shop', projectVersion: '1.0', autoCreate: 'true', projectTags: 'team-a,prod', parentName: 'platform', parentVersion: '2', isLatest: 'true' });
    const project = server.projects.get('shop@1.0')!;
    assert.deepStrictEqual([project.tags, project.parent, project.isLatest], [['team-a', 'prod'], 'platform', true]);
    assert.ok(Math.abs(result.acceptedAt - Date.now()) < 60_000 && result.acceptedAt % 1000 === 0, 'acceptedAt is the server\'s Date header (whole seconds)');
  });

  it('a server that rejects a field: the message names the field, the minimum version and the input to clear', async () => {
    server.behaviour.rejectFields = ['isLatest'];
    await assert.rejects(uploadBom({ ...target, tags: ['a'], isLatest: true }, BOM, 'a.cdx.json', 'application/json', 1, FAST), (e: Error) => {
      assert.match(e.message, /HTTP 400 .*The upload used isLatest \(Dependency-Track 4\.12 or later\): if the server is older than that, upgrade it or clear the matching input \(dependencyTrackIsLatest\)\. Server said: Unrecognized field "isLatest"/);
      return true;
    });
    assert.match(describeFailure(400, 'bad request', { ...target, parentName: 'p', tags: ['x'] }, 1, 1).message, /projectTags \(Dependency-Track 4\.12 or later\), parentName \(Dependency-Track 4\.8 or later\)/, 'a 400 that names no field lists every option sent');
    assert.doesNotMatch(describeFailure(400, 'The uploaded BOM is invalid', target, 1, 1).message, /or later/, 'no options sent: no version talk');
  });

  it('a parent that does not exist: a clear message naming it (not "no BOM API")', async () => {
    await assert.rejects(uploadBom({ ...target, parentName: 'nope', parentVersion: '9' }, BOM, 'a.cdx.json', 'application/json', 1, FAST), /no parent project 'nope' version '9' \(HTTP 404.*Create the parent project first, or correct dependencyTrackParentName/);
  });

  it('a server that never answers the upload: fails at the overall deadline, not after attempts × socket timeout', async () => {
    server.behaviour.hang = 'upload';
    const slowSockets: UploadPolicy = { attempts: 4, baseDelayMs: 1, socketTimeoutMs: 60_000 };
    await assert.rejects(uploadBom(target, BOM, 'a.cdx.json', 'application/json', 0.005, slowSockets), (e: Error) => {
      assert.ok(e instanceof UserError);
      assert.match(e.message, /did not finish within dependencyTrackTimeoutMinutes \(0\.005 min\), retries included; the server stopped answering/);
      return true;
    });
    assert.strictEqual(server.received.length, 1, 'the hung attempt is not retried after the deadline');
  });
});

describe('syft Dependency-Track: the reads of a wait (loopback server)', () => {
  let server: DependencyTrackServer;
  let target: DependencyTrackTarget;
  let token: string;
  const inAMinute = () => Date.now() + 60_000;
  beforeEach(async () => {
    server = await startDependencyTrackServer(undefined, { processingPolls: 1, counts: { critical: 1, high: 2, medium: 3, low: 4, unassigned: 5 }, violations: [{ state: 'FAIL', policy: 'No critical', component: 'lodash', version: '4.17.20' }] });
    target = { baseUrl: server.url, apiKey: server.apiKey, source: "service connection 'dt'", keyName: "The API key of service connection 'dt'", projectName: 'shop', projectVersion: '1.0' };
    token = (await uploadBom(target, BOM, 'a.cdx.json', 'application/json', 1, FAST)).token;
  });
  afterEach(() => server.close());

  it('reads the documented shapes: processing flag, project UUID, metrics, violations', async () => {
    const api = dependencyTrackApi(target, inAMinute(), FAST);
    assert.strictEqual(await api.eventTokenProcessing(token), true);
    assert.strictEqual(await api.eventTokenProcessing(token), false);
    const project = await api.lookupProject('shop', '1.0');
    assert.strictEqual(project.uuid, server.projects.get('shop@1.0')!.uuid);
    assert.strictEqual(await api.refreshMetrics(project.uuid), true);
    const metrics = (await api.currentMetrics(project.uuid))!;
    assert.deepStrictEqual({ ...metrics, lastOccurrence: 0 }, { critical: 1, high: 2, medium: 3, low: 4, unassigned: 5, lastOccurrence: 0 });
    assert.deepStrictEqual(await api.violations(project.uuid), [{ policy: 'No critical', state: 'FAIL', type: 'SECURITY', component: 'lodash@4.17.20' }]);
    assert.ok(server.received.slice(1).every((r) => r.headers['x-api-key'] === server.apiKey && r.method === 'GET'));
  });

  it('a project without metrics yet (204) reads as none; an old server has no event endpoint', async () => {
    const api = dependencyTrackApi(target, inAMinute(), FAST);
    assert.strictEqual(await api.currentMetrics(server.projects.get('shop@1.0')!.uuid), undefined);
    server.behaviour.eventApi = false;
    assert.strictEqual(await api.eventTokenProcessing(token), undefined);
    assert.strictEqual(await api.bomTokenProcessing(token), true);
  });

  const permissions: [DtEndpoint, (api: ReturnType<typeof dependencyTrackApi>, uuid: string) => Promise<unknown>, RegExp][] = [
    ['lookup', (api) => api.lookupProject('shop', '1.0'), /VIEW_PORTFOLIO permission to find the project/],
    ['metrics', (api, uuid) => api.currentMetrics(uuid), /VIEW_PORTFOLIO permission to read the project's vulnerability metrics/],
    ['violations', (api, uuid) => api.violations(uuid), /VIEW_POLICY_VIOLATION permission to read the project's policy violations/],
    ['bomToken', (api) => api.bomTokenProcessing(token), /BOM_UPLOAD permission to follow the processing/],
    ['eventToken', (api) => api.eventTokenProcessing(token), /must be a valid Dependency-Track API key, needed to follow the processing/],
  ];
  for (const [endpoint, call, expected] of permissions) {
    for (const status of [401, 403] as const) {
      it(`${status} on ${endpoint}: names what the key needs, says the upload happened; not retried`, async () => {
        server.behaviour.refuse = { [endpoint]: status };
        const before = server.received.length;
        await assert.rejects(call(dependencyTrackApi(target, inAMinute(), FAST), server.projects.get('shop@1.0')!.uuid), (e: Error) => {
          assert.ok(e instanceof UserError);
          assert.match(e.message, new RegExp(`HTTP ${status} from ${server.url}/api/v1/`));
          assert.match(e.message, expected);
          assert.match(e.message, /The API key of service connection 'dt' must (belong to a team with|be a valid) .*\. The SBOM was uploaded; only the wait for its analysis failed\./);
          assert.ok(!e.message.includes(server.apiKey));
          return true;
        });
        assert.strictEqual(server.received.length - before, 1);
      });
    }
  }

  it('403 on refresh (no PORTFOLIO_MANAGEMENT) is not an error: refreshMetrics answers false', async () => {
    server.behaviour.refuse = { refresh: 403 };
    assert.strictEqual(await dependencyTrackApi(target, inAMinute(), FAST).refreshMetrics(server.projects.get('shop@1.0')!.uuid), false);
  });

  it('an unknown project: a clear 404 message naming project and version', async () => {
    server.behaviour.forgetProjects = true;
    await assert.rejects(dependencyTrackApi(target, inAMinute(), FAST).lookupProject('shop', '1.0'), /Dependency-Track has no project 'shop' version '1\.0' \(HTTP 404 .*although it accepted the SBOM/);
  });

  it('a server that stops answering: the request ends at the wait\'s deadline (DeadlineReached), the socket is dropped', async () => {
    server.behaviour.hang = 'metrics';
    await assert.rejects(dependencyTrackApi(target, Date.now() + 300, FAST).currentMetrics(server.projects.get('shop@1.0')!.uuid), DeadlineReached);
  });

  it('answers that are not Dependency-Track JSON are clear errors', async () => {
    server.answers.push({ status: 200, body: '<html>login</html>' });
    await assert.rejects(dependencyTrackApi(target, inAMinute(), FAST).eventTokenProcessing(token), /not JSON.*not the Dependency-Track API server/);
    server.answers.push({ status: 200, body: '{"ok":true}' });
    await assert.rejects(dependencyTrackApi(target, inAMinute(), FAST).eventTokenProcessing(token), /without a processing flag/);
  });
});
