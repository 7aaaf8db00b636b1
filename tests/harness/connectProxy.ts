// A minimal HTTP CONNECT proxy, as the agent's proxy (Agent.ProxyUrl) would be: tunnels each
// CONNECT to its target and records the target and the Proxy-Authorization header it came with.
// Given `credentials`, it answers 407 to a CONNECT without the matching Basic credentials.
import { createServer, IncomingMessage } from 'node:http';
import { AddressInfo, connect, Socket } from 'node:net';

export interface ConnectProxy {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Every CONNECT target (`host:port`), in order, including refused ones. */
  connects: string[];
  /** The Proxy-Authorization header of each CONNECT (undefined when absent), in the order of `connects`. */
  authorizations: (string | undefined)[];
  /** How many CONNECTs were answered 407. */
  refused: number;
  close(): Promise<void>;
}

export interface ConnectProxyOptions {
  /** Require `Proxy-Authorization: Basic base64(username:password)`; anything else gets 407. */
  credentials?: { username: string; password: string };
}

/** `Basic <base64 username:password>`, the header a client sends for these credentials. */
export function basicProxyAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

export async function startConnectProxy(opts: ConnectProxyOptions = {}): Promise<ConnectProxy> {
  const connects: string[] = [];
  const authorizations: (string | undefined)[] = [];
  const sockets = new Set<Socket>();
  const expected = opts.credentials ? basicProxyAuthorization(opts.credentials.username, opts.credentials.password) : undefined;
  const state = { refused: 0 };
  const proxy = createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    connects.push(req.url ?? '');
    const authorization = req.headers['proxy-authorization'];
    authorizations.push(authorization);
    sockets.add(client);
    client.on('error', () => client.destroy());
    client.on('close', () => sockets.delete(client));
    if (expected !== undefined && authorization !== expected) {
      state.refused++;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => {
      upstream.destroy();
      client.destroy();
    });
    upstream.on('close', () => sockets.delete(upstream));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    connects,
    authorizations,
    get refused() {
      return state.refused;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => proxy.close(() => resolve()));
    },
  };
}
