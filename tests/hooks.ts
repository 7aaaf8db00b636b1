// Root hooks for every test file.
// MockTestRunner downloads Node from nodejs.org unless told otherwise; point that at a dead
// loopback port so a forgotten `nodePath` fails fast instead of reaching the internet.
process.env.TASK_NODE_URL = 'http://127.0.0.1:9';
