// GrypeScan L0 scenarios: the fake grype answers `db update`, `db status` and the scan from a Scenario.
import * as fs from 'fs';
import * as path from 'path';
import { fixtures, mockExec, mockTask } from './l0Harness';

export { fixtures };

export interface Scenario {
  inputs?: Record<string, string>;
  /** JSON report the fake grype writes (fixture path); undefined → writes nothing */
  report?: string;
  scanExitCode?: number;
  scanStderr?: string[];
  dbUpdateExitCode?: number;
  dbStatusExitCode?: number;
}

export function runScenario(scenario: Scenario): void {
  const { tmr } = mockTask('GrypeScan', { warnOnSeverity: 'high', failOnSeverity: 'none', outputFormats: 'json,sarif', ...scenario.inputs });
  const dbStatus = fs.readFileSync(path.join(fixtures, 'grype-misc', 'grype-0.112.0-version-json-and-db-status.txt'), 'utf8').split('=== GRYPE DB STATUS ===')[1];
  const placeholders = fs.mkdtempSync(path.join(path.dirname(process.env.AGENT_TEMPDIRECTORY!), 'fake-'));
  mockExec(
    tmr,
    (run) => {
      if (run.args[0] === 'db' && run.args[1] === 'update') {
        const exitCode = scenario.dbUpdateExitCode ?? 0;
        return { exitCode, stderrTail: exitCode ? ['failed to load vulnerability db: connection refused'] : [] };
      }
      if (run.args[0] === 'db' && run.args[1] === 'status') {
        const exitCode = scenario.dbStatusExitCode ?? 0;
        return { exitCode, stdout: exitCode ? '' : dbStatus };
      }
      return { exitCode: scenario.scanExitCode ?? 0, stderrTail: scenario.scanStderr ?? [] };
    },
    (format) => {
      if (format === 'json') return scenario.report;
      const file = path.join(placeholders, format);
      fs.writeFileSync(file, `fake ${format}\n`);
      return file;
    },
  );
  tmr.run();
}
