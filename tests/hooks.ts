// Root hooks for every test file.
import { NO_INTERNET_PROXY } from './harness/vsix';

// MockTestRunner downloads Node from nodejs.org unless told otherwise; point that at a dead
// loopback port so a forgotten `nodePath` fails fast instead of reaching the internet.
process.env.TASK_NODE_URL = 'http://127.0.0.1:9';
// The same for in-process installs and uploads: the agent's proxy is a dead port, loopback servers
// bypass it; tests that install from "GitHub" use harness/fakeGitHub.ts.
Object.assign(process.env, NO_INTERNET_PROXY);
