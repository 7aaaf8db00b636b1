// SyftSbom L0 scenarios: the fake syft copies a fixture to each `-o <fmt>[@ver]=<path>`.
import { mockExec, mockTask } from './l0Harness';

export interface SyftScenario {
  inputs?: Record<string, string>;
  /** format (without @version) → fixture written to its -o path */
  outputs?: Record<string, string>;
  exitCode?: number;
  stderrTail?: string[];
}

export function runSyftScenario(scenario: SyftScenario): void {
  const { tmr } = mockTask('SyftSbom', scenario.inputs ?? {}, { BUILD_BUILDID: '99', BUILD_DEFINITIONNAME: 'l0-pipeline' });
  mockExec(
    tmr,
    () => ({ exitCode: scenario.exitCode ?? 0, stderrTail: scenario.stderrTail ?? [] }),
    (format) => scenario.outputs?.[format.split('@')[0]],
  );
  tmr.run();
}
