import tl = require('azure-pipelines-task-lib/task');
import { UserError } from './errors';
import { oneLine } from './text';

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'];

/**
 * The agent's proxy (`--proxyurl` at agent configuration) for Grype and Syft, which, like other Go
 * programs, read only HTTP(S)_PROXY/NO_PROXY. A proxy the pipeline already set in the environment
 * wins. Bypass entries are regular expressions on the agent; only those that are plain host names
 * (e.g. `github\.com`) can be expressed in NO_PROXY. PURE.
 */
export function proxyEnvironment(config: tl.ProxyConfiguration | null, env: NodeJS.ProcessEnv): Record<string, string> {
  if (!config || PROXY_VARIABLES.some((name) => env[name])) return {};
  const proxy = proxyUrlWithCredentials(config);
  const result: Record<string, string> = { HTTPS_PROXY: proxy, HTTP_PROXY: proxy };
  const hosts = (config.proxyBypassHosts ?? []).map(plainHost).filter((h): h is string => Boolean(h));
  const existing = env.NO_PROXY || env.no_proxy;
  if (hosts.length) result.NO_PROXY = [existing, ...hosts].filter(Boolean).join(',');
  return result;
}

/** task-lib's proxyFormattedUrl does not percent-encode the credentials; a ':' or '@' in a password would break it. */
function proxyUrlWithCredentials(config: tl.ProxyConfiguration): string {
  const url = new URL(config.proxyUrl);
  const credentials = config.proxyUsername ? `${encodeURIComponent(config.proxyUsername)}:${encodeURIComponent(config.proxyPassword ?? '')}@` : '';
  return `${url.protocol}//${credentials}${url.host}`;
}

/** `github\.com` → `github.com`; a real pattern (`.*\.corp`, `^10\.`) → undefined. */
function plainHost(pattern: string): string | undefined {
  const host = pattern.trim().replace(/\\\./g, '.');
  return /^[A-Za-z0-9.-]+(:\d+)?$/.test(host) && !/^\.|\.$/.test(host) ? host : undefined;
}

/**
 * The agent's proxy (task-lib's reading of Agent.ProxyUrl, its credentials and bypass list) for a
 * request to `requestUrl` (null when bypassed or none is set), checked first: typed-rest-client and
 * Go would otherwise fail on a malformed one with a bare "Invalid URL", or silently go direct when
 * it has no http(s) scheme.
 */
export function agentProxyConfiguration(requestUrl?: string): tl.ProxyConfiguration | null {
  const configured = tl.getVariable('Agent.ProxyUrl');
  if (configured) checkAgentProxyUrl(configured);
  return tl.getHttpProxyConfiguration(requestUrl);
}

/** PURE: throws a UserError unless `proxyUrl` is an http(s) URL with a host. */
export function checkAgentProxyUrl(proxyUrl: string): void {
  let url: URL | undefined;
  try {
    url = new URL(proxyUrl);
  } catch {
    // reported below
  }
  if (url && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname) return;
  // Credentials belong in Agent.ProxyUsername/ProxyPassword, but never echo any that were put here.
  const shown = oneLine(proxyUrl.replace(/\/\/[^/@]*@/, '//***@'), 200);
  throw new UserError(
    `The agent's proxy URL (Agent.ProxyUrl) '${shown}' is not a valid http(s) URL such as http://proxy.example.com:8080. ` +
      `Fix the agent's proxy setting (re-run the agent's config with --proxyurl, or edit the .proxy file in the agent's folder and restart it), or the pipeline variable that sets it.`,
  );
}

/** proxyEnvironment for this agent; the password, also in its URL-encoded form, is masked. */
export function agentProxyEnvironment(): Record<string, string> {
  const config = agentProxyConfiguration();
  if (config?.proxyPassword) {
    tl.setSecret(config.proxyPassword);
    tl.setSecret(encodeURIComponent(config.proxyPassword));
  }
  return proxyEnvironment(config, process.env);
}
