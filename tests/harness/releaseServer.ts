// A loopback HTTP server that plays github.com's release host for Grype and Syft:
//   /anchore/<tool>/releases/download/v<ver>/<asset>
//   /anchore/<tool>/releases/latest  (302 to /releases/tag/v<ver>, or JSON with Accept: application/json)
// Faults (status codes, resets, truncated bodies, slow bodies) are injected per path suffix.
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { checksumsFile } from './fakeTool';

export type Fault =
  | { kind: 'status'; status: number; times?: number; /** e.g. a Location for a 3xx */ headers?: Record<string, string> }
  /** headers + afterBytes of the body, then the socket is destroyed */
  | { kind: 'reset'; afterBytes: number; times?: number }
  /** Content-Length of the full body, but only `bytes` are sent before the connection ends */
  | { kind: 'truncate'; bytes: number; times?: number }
  | { kind: 'slow'; bytesPerChunk: number; delayMs: number; times?: number };

/** 'ambiguous': each asset's true line, then a second line for it with another hash (as an altered file could). */
export type ChecksumsMode = 'ok' | 'missing-file' | 'missing-line' | 'wrong' | 'ambiguous';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface ReleaseServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** `${url}/anchore/${tool}/releases/download` */
  downloadBase(tool: string): string;
  /** Serves the assets under v<version>, plus `<tool>_<version>_checksums.txt` as `checksums` says (default 'ok'). */
  addRelease(tool: string, version: string, assets: { name: string; data: Buffer }[], opts?: { checksums?: ChecksumsMode }): void;
  /** `ignoreAcceptJson`: always redirect, as a proxy that drops the Accept header would make GitHub do. */
  setLatest(tool: string, version: string, opts?: { ignoreAcceptJson?: boolean }): void;
  /** Requests whose path ends with pathSuffix get the fault `times` times (default: always), then normal answers. */
  addFault(pathSuffix: string, fault: Fault): void;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

function checksumsFor(tool: string, version: string, assets: { name: string; data: Buffer }[], mode: ChecksumsMode): Buffer | undefined {
  if (mode === 'missing-file') return undefined;
  const listed = mode === 'missing-line' ? [] : assets;
  // 'wrong': every line carries the hash of different bytes; 'ambiguous': the true lines come first.
  const altered = listed.map((a) => ({ name: a.name, data: Buffer.concat([a.data, Buffer.from('x')]) }));
  const hashed = mode === 'wrong' ? altered : mode === 'ambiguous' ? [...listed, ...altered] : listed;
  // Other files of the release are always listed, as on GitHub.
  const others = [{ name: `${tool}_${version}_linux_amd64.deb`, data: Buffer.from('deb') }];
  return Buffer.from(checksumsFile([...hashed, ...others]));
}

export async function startReleaseServer(): Promise<ReleaseServer> {
  const files = new Map<string, Buffer>();
  const latest = new Map<string, { version: string; ignoreAcceptJson: boolean }>();
  const faults: { suffix: string; fault: Fault; remaining: number }[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();

  function takeFault(path: string): Fault | undefined {
    const entry = faults.find((f) => path.endsWith(f.suffix) && f.remaining > 0);
    if (!entry) return undefined;
    entry.remaining--;
    return entry.fault;
  }

  function sendBody(res: ServerResponse, body: Buffer, fault: Fault | undefined): void {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
    if (fault?.kind === 'reset') {
      res.write(body.subarray(0, fault.afterBytes), () => res.socket?.destroy());
    } else if (fault?.kind === 'truncate') {
      // Half-close after the partial body: the client sees a clean EOF short of Content-Length.
      res.write(body.subarray(0, fault.bytes), () => res.socket?.end());
    } else if (fault?.kind === 'slow') {
      let sent = 0;
      const tick = (): void => {
        if (res.destroyed) return;
        const chunk = body.subarray(sent, sent + fault.bytesPerChunk);
        sent += chunk.length;
        if (sent >= body.length) res.end(chunk);
        else res.write(chunk, () => setTimeout(tick, fault.delayMs));
      };
      tick();
    } else {
      res.end(body);
    }
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers });
    const fault = takeFault(path);
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, { 'Content-Type': 'text/plain', 'Content-Length': 6, ...(fault.status === 429 ? { 'Retry-After': '0' } : {}), ...fault.headers });
      res.end('error\n');
      return;
    }
    const latestMatch = /^\/anchore\/([^/]+)\/releases\/latest$/.exec(path);
    if (latestMatch) {
      const release = latest.get(latestMatch[1]);
      if (!release) return notFound(res);
      const version = release.version;
      if (!release.ignoreAcceptJson && String(req.headers.accept ?? '').includes('application/json')) {
        sendJson(res, { id: 1, tag_name: `v${version}`, update_url: `/anchore/${latestMatch[1]}/releases/tag/v${version}` });
      } else {
        res.writeHead(302, { Location: `/anchore/${latestMatch[1]}/releases/tag/v${version}`, 'Content-Length': 0 });
        res.end();
      }
      return;
    }
    const body = files.get(path);
    if (!body) return notFound(res);
    sendBody(res, body, fault);
  }

  const server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    downloadBase: (tool) => `${url}/anchore/${tool}/releases/download`,
    addRelease(tool, version, assets, opts = {}) {
      const dir = `/anchore/${tool}/releases/download/v${version}`;
      for (const asset of assets) files.set(`${dir}/${asset.name}`, asset.data);
      const checksums = checksumsFor(tool, version, assets, opts.checksums ?? 'ok');
      if (checksums) files.set(`${dir}/${tool}_${version}_checksums.txt`, checksums);
    },
    setLatest: (tool, version, opts = {}) => void latest.set(tool, { version, ignoreAcceptJson: opts.ignoreAcceptJson ?? false }),
    addFault: (suffix, fault) => void faults.push({ suffix, fault, remaining: fault.times ?? Infinity }),
    requests,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain', 'Content-Length': 10 });
  res.end('Not Found\n');
}

function sendJson(res: ServerResponse, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
  res.end(body);
}
