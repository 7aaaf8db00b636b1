// A loopback Dependency-Track API for tests: POST /api/v1/bom (multipart/form-data) checks the
// X-Api-Key header, parses the multipart body and answers like Dependency-Track 4.x
// (`{"token": "<uuid>"}`), or with a programmed failure (status code, e.g. a frontend's 200 HTML
// page or a redirect, or a connection reset).
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

export interface DependencyTrackServer {
  url: string;
  apiKey: string;
  received: ReceivedUpload[];
  /** Answers for the next requests, consumed in order; when empty the server behaves normally. */
  answers: Answer[];
  close(): Promise<void>;
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
export async function startDependencyTrackServer(apiKey = 'odt_test_key_0123456789'): Promise<DependencyTrackServer> {
  const received: ReceivedUpload[] = [];
  const answers: Answer[] = [];
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

      const answer = answers.shift();
      if (answer && 'reset' in answer) {
        req.socket.destroy();
        return;
      }
      if (answer) {
        res.writeHead(answer.status, { 'Content-Type': 'text/plain', ...answer.headers }).end(answer.body ?? '');
        return;
      }
      if (req.method !== 'POST' || req.url !== '/api/v1/bom') {
        res.writeHead(404).end();
        return;
      }
      if (req.headers['x-api-key'] !== apiKey) {
        res.writeHead(401).end();
        return;
      }
      if (!parts || !parts.some((p) => p.name === 'bom')) {
        res.writeHead(400, { 'Content-Type': 'text/plain' }).end('The uploaded BOM is invalid');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token: randomUUID() }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    received,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
