import tl = require('azure-pipelines-task-lib/task');
import { UserError } from './errors';

/** The parts of a Docker registry service connection the scanners need. */
export interface RegistryLogin {
  authority: string;
  username: string;
  password: string;
}

/** Host[:port] of a registry URL such as https://myacr.azurecr.io/ or index.docker.io/v1/. */
export function registryAuthority(url: string): string {
  const trimmed = url.trim();
  const withScheme = /^[a-z]+:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  try {
    return new URL(withScheme).host;
  } catch {
    throw new UserError(`The registry service connection has an invalid registry URL '${url}'. Edit the service connection.`);
  }
}

/**
 * Environment for the scanner: `<PREFIX>_REGISTRY_AUTH_{AUTHORITY,USERNAME,PASSWORD}`. Secrets go
 * only through the environment (never argv) and are registered with the agent so it masks them.
 */
export function registryEnvironment(prefix: 'GRYPE' | 'SYFT', login: RegistryLogin): Record<string, string> {
  return {
    [`${prefix}_REGISTRY_AUTH_AUTHORITY`]: login.authority,
    [`${prefix}_REGISTRY_AUTH_USERNAME`]: login.username,
    [`${prefix}_REGISTRY_AUTH_PASSWORD`]: login.password,
  };
}

/**
 * Registers a password with the agent so it masks it. task-lib refuses a value with a line break
 * ("Secrets cannot contain multiple lines"), yet some registries' passwords are files: Google
 * Artifact Registry's `_json_key` password is a whole service-account JSON key. The agent masks
 * each registered value wherever it appears, so such a password is registered line by line;
 * lines without a letter or digit (`{`, `},`) carry no secret and would mask every brace in the log.
 */
function registerSecret(password: string): void {
  const lines = password.split(/\r\n|\r|\n/);
  if (lines.length === 1) {
    tl.setSecret(password);
    return;
  }
  for (const line of lines) if (/[\p{L}\p{N}]/u.test(line)) tl.setSecret(line.trim());
}

/**
 * One authorization parameter of a service connection (any type), read from the connection's authorization
 * object. Not `tl.getEndpointAuthorizationParameter`: that one writes the value (the password) into
 * a `##vso[task.debug]` line.
 */
export function authParameter(connectionId: string, key: string): string | undefined {
  const parameters = tl.getEndpointAuthorization(connectionId, true)?.parameters ?? {};
  const found = Object.keys(parameters).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : parameters[found] || undefined;
}

/** Reads a Docker registry service connection (`containerRegistry` input), or undefined if none. */
export function readRegistryLogin(connectionId: string | undefined): RegistryLogin | undefined {
  if (!connectionId) return undefined;
  const scheme = (tl.getEndpointAuthorizationScheme(connectionId, true) ?? '').toLowerCase();
  let username: string | undefined;
  let password: string | undefined;
  let url: string | undefined;
  if (scheme === 'serviceprincipal') {
    // Azure Container Registry connection created with a service principal.
    username = authParameter(connectionId, 'serviceprincipalid');
    password = authParameter(connectionId, 'serviceprincipalkey');
    url = tl.getEndpointDataParameter(connectionId, 'registryLoginServer', true) ?? tl.getEndpointUrl(connectionId, true);
  } else {
    username = authParameter(connectionId, 'username');
    password = authParameter(connectionId, 'password');
    url = authParameter(connectionId, 'registry') ?? tl.getEndpointUrl(connectionId, true);
  }
  if (password) registerSecret(password);
  if (!username || !password || !url) {
    throw new UserError(
      `The containerRegistry service connection '${connectionId}' has no usable username, password and registry URL ` +
        `(authorization scheme '${scheme || 'unknown'}'). Use a Docker Registry service connection with username and password, or an Azure Container Registry connection.`,
    );
  }
  return { authority: registryAuthority(url), username, password };
}

/**
 * When a scanner's error output shows that a registry refused to serve the image (401/403), the
 * message naming the registry and what to fix; undefined for any other failure. The scanners'
 * own words list every source they tried and bury the registry's answer in a URL. PURE.
 */
export function registryAccessProblem(stderr: string, login: RegistryLogin | undefined, connectionId: string | undefined): string | undefined {
  const refusal = /(?:GET|HEAD) https?:\/\/([^/\s]+)\/v2\/([^\s:]*?)\/(?:manifests|blobs)\/\S+: (UNAUTHORIZED|DENIED|FORBIDDEN)\b:? ?([^;\n\x1b]*)/i.exec(stderr);
  const status = /unexpected status code (401|403)[^;\n\x1b]*/i.exec(stderr);
  if (!refusal && !status) return undefined;
  const host = refusal?.[1];
  const where = host ? `The registry ${host} refused to serve ${refusal![2]}` : 'The registry refused to serve the image';
  const reason = (refusal ? `${refusal[3]}${refusal[4] ? `: ${refusal[4].trim()}` : ''}` : status![0]).trim();
  if (!login) {
    return `${where} (${reason}), and no containerRegistry service connection is set. Set containerRegistry to a Docker Registry service connection${host ? ` for ${host}` : ''} whose user may pull the image.`;
  }
  const other = host && login.authority.toLowerCase() !== host.toLowerCase() ? ` The connection is for ${login.authority}, not ${host}.` : '';
  return `${where} (${reason}) with the credentials of the containerRegistry service connection '${connectionId}' (user ${login.username}).${other} Check the connection's username and password or token, and that this user may pull the image.`;
}
