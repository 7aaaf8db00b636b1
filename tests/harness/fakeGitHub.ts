// "github.com" for tests, reached the way the tasks reach it on an agent behind a TLS-inspecting
// corporate proxy: the agent's proxy (Agent.ProxyUrl) is a loopback CONNECT proxy that terminates
// TLS for github.com with a certificate from a test CA, the agent's CA file (Agent.CAInfo) is that
// CA, and behind the proxy the loopback release server answers. The product keeps its real
// https://github.com URLs; no test hook is involved.
//
// The CA and the github.com certificate are generated once per test process with openssl, in a
// temp dir removed at exit (no key is ever committed).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectProxy, ConnectProxyOptions, startConnectProxy } from './connectProxy';
import { ReleaseServer, startReleaseServer } from './releaseServer';

export const GITHUB = 'https://github.com';

export interface TestCertificates {
  /** the CA certificate file, as the agent's Agent.CAInfo names it */
  caFile: string;
  /** PEM key and certificate for github.com, signed by that CA */
  key: string;
  cert: string;
}

let certificates: TestCertificates | undefined;

/** A throw-away CA and a github.com server certificate it signed (ECDSA P-256, valid for two days). */
export function testCertificates(): TestCertificates {
  if (certificates) return certificates;
  const dir = mkdtempSync(join(tmpdir(), 'test-ca-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ecKey, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Test TLS-inspecting proxy CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl('req', ...ecKey, '-keyout', 'github.key', '-out', 'github.csr', '-subj', '/CN=github.com');
  writeFileSync(join(dir, 'github.ext'), 'subjectAltName=DNS:github.com\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  openssl('x509', '-req', '-in', 'github.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'github.ext', '-out', 'github.pem');
  certificates = { caFile: join(dir, 'ca.pem'), key: readFileSync(join(dir, 'github.key'), 'utf8'), cert: readFileSync(join(dir, 'github.pem'), 'utf8') };
  return certificates;
}

export interface FakeGitHub {
  /** the release server behind the proxy (its requests, faults, releases) */
  server: ReleaseServer;
  proxy: ConnectProxy;
  /** the agent variables that route the task to it: Agent.ProxyUrl and Agent.CAInfo */
  env: { AGENT_PROXYURL: string; AGENT_CAINFO: string };
  close(): Promise<void>;
}

export async function startFakeGitHub(proxyOptions: Omit<ConnectProxyOptions, 'intercept'> = {}): Promise<FakeGitHub> {
  const { caFile, key, cert } = testCertificates();
  const server = await startReleaseServer();
  const proxy = await startConnectProxy({ ...proxyOptions, intercept: { host: 'github.com', key, cert, upstreamUrl: server.url } });
  return {
    server,
    proxy,
    env: { AGENT_PROXYURL: proxy.url, AGENT_CAINFO: caFile },
    async close() {
      await proxy.close();
      await server.close();
    },
  };
}
