// A minimal HTTP CONNECT proxy, as the agent's proxy (Agent.ProxyUrl) would be: tunnels each
// CONNECT to its target and records the target and the Proxy-Authorization header it came with.
// Given `credentials`, it answers 407 to a CONNECT without the matching Basic credentials.
// Given `intercept`, it plays a TLS-inspecting corporate proxy for one host (github.com): it
// terminates TLS with a certificate for that host (signed by a test CA that the task must be
// given as Agent.CAInfo) and forwards the decrypted requests to a loopback server.
// Safety net: only loopback targets and the intercepted host are served; any other CONNECT is
// refused with 403, so nothing sent through this proxy can reach the internet.
import { createServer, IncomingMessage } from 'node:http';
import { AddressInfo, connect, isIP, Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

export interface ConnectProxy {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Every CONNECT target (`host:port`), in order, including refused ones. */
  connects: string[];
  /** The Proxy-Authorization header of each CONNECT (undefined when absent), in the order of `connects`. */
  authorizations: (string | undefined)[];
  /** How many CONNECTs were answered 407. */
  refused: number;
  /** How many CONNECTs were answered 403 (a target that is neither loopback nor intercepted). */
  forbidden: number;
  close(): Promise<void>;
}

export interface InterceptedHost {
  /** e.g. 'github.com' (port 443) */
  host: string;
  /** PEM key and certificate for `host` */
  key: string;
  cert: string;
  /** where the decrypted requests go: http://127.0.0.1:<port> */
  upstreamUrl: string;
}

export interface ConnectProxyOptions {
  /** Require `Proxy-Authorization: Basic base64(username:password)`; anything else gets 407. */
  credentials?: { username: string; password: string };
  intercept?: InterceptedHost;
}

/** `Basic <base64 username:password>`, the header a client sends for these credentials. */
export function basicProxyAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || (isIP(host) === 4 && host.startsWith('127.'));
}

export async function startConnectProxy(opts: ConnectProxyOptions = {}): Promise<ConnectProxy> {
  const connects: string[] = [];
  const authorizations: (string | undefined)[] = [];
  const sockets = new Set<Socket>();
  const expected = opts.credentials ? basicProxyAuthorization(opts.credentials.username, opts.credentials.password) : undefined;
  const state = { refused: 0, forbidden: 0 };
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  /** Bytes to and from `client` (plain, or the decrypted side of a TLS termination) go to host:port. */
  const relay = (client: Socket, host: string, port: number, head: Buffer, established?: () => void) => {
    const upstream = connect(port, host, () => {
      established?.();
      if (head.length) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    track(upstream);
    upstream.on('error', () => {
      upstream.destroy();
      client.destroy();
    });
    client.on('error', () => upstream.destroy());
  };
  const proxy = createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    connects.push(target);
    const authorization = req.headers['proxy-authorization'];
    authorizations.push(authorization);
    track(client);
    client.on('error', () => client.destroy());
    if (expected !== undefined && authorization !== expected) {
      state.refused++;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    const separator = target.lastIndexOf(':');
    const host = target.slice(0, separator);
    const port = Number(target.slice(separator + 1));
    const intercept = opts.intercept;
    if (intercept && host === intercept.host && port === 443) {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) client.unshift(head);
      const tls = new TLSSocket(client, { isServer: true, key: intercept.key, cert: intercept.cert });
      tls.on('error', () => client.destroy());
      const upstream = new URL(intercept.upstreamUrl);
      relay(tls as unknown as Socket, upstream.hostname, Number(upstream.port), Buffer.alloc(0));
      return;
    }
    if (!isLoopback(host)) {
      state.forbidden++;
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    relay(client, host, port, head, () => client.write('HTTP/1.1 200 Connection Established\r\n\r\n'));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    connects,
    authorizations,
    get refused() {
      return state.refused;
    },
    get forbidden() {
      return state.forbidden;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => proxy.close(() => resolve()));
    },
  };
}
