// GrypeScan L0 scenarios: the fake grype answers `db update`, `db status` and the scan from a Scenario.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GOLDEN, golden, writeReportWithSeverities } from '../harness/golden';
import { mockExec, mockTask } from './l0Harness';

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
  const dbStatus = fs.readFileSync(golden(GOLDEN.grypeDbStatusJson), 'utf8');
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

/** The severity mix of the report `manyFindingsReport` writes: more findings than the agent keeps warnings. */
export const MANY_FINDINGS = { High: 40, Low: 60, Negligible: 20 } as const;

export function manyFindingsReport(): string {
  return writeReportWithSeverities(MANY_FINDINGS, fs.mkdtempSync(path.join(os.tmpdir(), 'grype-l0-many-')));
}
