import tl = require('azure-pipelines-task-lib/task');

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

/** proxyEnvironment for this agent; the password, also in its URL-encoded form, is masked. */
export function agentProxyEnvironment(): Record<string, string> {
  const config = tl.getHttpProxyConfiguration();
  if (config?.proxyPassword) {
    tl.setSecret(config.proxyPassword);
    tl.setSecret(encodeURIComponent(config.proxyPassword));
  }
  return proxyEnvironment(config, process.env);
}
