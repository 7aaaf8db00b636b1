import * as assert from 'assert';
import { UserError } from '../../tasks/common/errors';
import { DependencyTrackTarget, describeFailure, multipartBody, normaliseDependencyTrackUrl, uploadBom, UploadPolicy } from '../../tasks/SyftSbom/dependencyTrack';
import { DependencyTrackServer, parseMultipart, startDependencyTrackServer } from '../harness/dependencyTrackServer';
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
    target = { baseUrl: server.url, apiKey: server.apiKey, projectName: 'my-repo', projectVersion: 'main' };
  });
  afterEach(() => server.close());

  it('POST /api/v1/bom with X-Api-Key and projectName, projectVersion, autoCreate, bom; returns the token', async () => {
    const result = await uploadBom(target, BOM, 'app.cdx.json', 'application/json', FAST);
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
      await assert.rejects(uploadBom(target, BOM, 'a.cdx.json', 'application/json', FAST), (e: Error) => {
        assert.ok(e instanceof UserError);
        assert.match(e.message, new RegExp(`HTTP ${status}.*BOM_UPLOAD.*PROJECT_CREATION_UPLOAD`));
        assert.ok(!e.message.includes(server.apiKey));
        return true;
      });
      assert.strictEqual(server.received.length, 1);
    });
  }

  it('a wrong key (the server answers 401) is reported the same way', async () => {
    await assert.rejects(uploadBom({ ...target, apiKey: 'wrong' }, BOM, 'a.cdx.json', 'application/json', FAST), /HTTP 401.*BOM_UPLOAD/);
  });

  it('413: a clear error about the server upload limit, with the SBOM size', async () => {
    server.answers.push({ status: 413 });
    await assert.rejects(uploadBom(target, BOM, 'a.cdx.json', 'application/json', FAST), /too large \(HTTP 413, \d+ B\).*upload limit/);
    assert.strictEqual(server.received.length, 1);
  });

  it('5xx is retried, then succeeds', async () => {
    server.answers.push({ status: 500 }, { status: 503 });
    const result = await uploadBom(target, BOM, 'a.cdx.json', 'application/json', FAST);
    assert.ok(result.token);
    assert.strictEqual(server.received.length, 3);
    assert.deepStrictEqual(server.received[2].parts!.find((p) => p.name === 'bom')!.data, BOM, 'the body is complete on a retry');
  });

  it('5xx on every attempt: a clear error naming the status and the attempts; body text is neutralised', async () => {
    server.answers.push({ status: 500, body: 'boom' }, { status: 502 }, { status: 500, body: '##vso[task.complete result=Succeeded]oops' });
    await assert.rejects(uploadBom(target, BOM, 'a.cdx.json', 'application/json', FAST), (e: Error) => {
      assert.match(e.message, /HTTP 500 .* after 3 attempt\(s\)/);
      assert.ok(!e.message.includes('##vso['));
      return true;
    });
  });

  it('a connection reset is retried, then a clear error', async () => {
    server.answers.push({ reset: true });
    assert.ok((await uploadBom(target, BOM, 'a.cdx.json', 'application/json', FAST)).token);
    server.answers.push({ reset: true }, { reset: true }, { reset: true });
    await assert.rejects(uploadBom(target, BOM, 'a.cdx.json', 'application/json', FAST), /after 3 attempts .*(ECONNRESET|socket hang up)/);
  });

  it('an http:// URL works but warns that the API key travels in cleartext; the key is not shown', async () => {
    const { log, error } = await captureStdout(async () => assert.ok((await uploadBom(target, BOM, 'a.cdx.json', 'application/json', FAST)).token));
    assert.ifError(error);
    assert.strictEqual(server.received.length, 1);
    assert.match(log, new RegExp(`##vso\\[task\\.issue type=warning;[^\\]]*\\]dependencyTrackUrl ${target.baseUrl} uses http, not https: the API key \\(X-Api-Key\\) .* unencrypted`));
    assert.ok(!log.includes(server.apiKey));
  });

  it('an https:// URL does not warn about cleartext', async () => {
    const { log } = await captureStdout(() => uploadBom({ ...target, baseUrl: 'https://127.0.0.1:1' }, BOM, 'a.cdx.json', 'application/json', { ...FAST, attempts: 1 }));
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
      await assert.rejects(uploadBom(target, BOM, 'a.cdx.json', 'application/json', FAST), (e: Error) => {
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
