// The wait-then-gate core with a fake clock (no real sleeps) and a scripted Dependency-Track.
import * as assert from 'assert';
import { UserError } from '../../tasks/common/errors';
import {
  Clock,
  DeadlineReached,
  DependencyTrackApi,
  gateCounts,
  gateFailures,
  PolicyViolation,
  pollDelayMs,
  ProjectMetrics,
  sortViolations,
  waitForAnalysis,
  WaitJob,
} from '../../tasks/SyftSbom/dependencyTrackGate';

const UUID = '3f6e4a8e-1111-4222-8333-444455556666';
const ACCEPTED = 1_700_000_000_000;

/** Time moves only when the code sleeps; every sleep is recorded. */
function fakeClock(start = ACCEPTED): Clock & { sleeps: number[] } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

const metrics = (lastOccurrence: number, counts: Partial<ProjectMetrics> = {}): ProjectMetrics => ({ critical: 0, high: 0, medium: 0, low: 0, unassigned: 0, lastOccurrence, ...counts });

/** Answers in order per method (the last one repeats); records every call. */
function scriptedApi(script: {
  event?: (boolean | undefined)[];
  bom?: boolean[];
  metrics?: (ProjectMetrics | undefined)[];
  refresh?: boolean;
  violations?: PolicyViolation[];
  hangOn?: keyof DependencyTrackApi;
}): DependencyTrackApi & { calls: string[] } {
  const calls: string[] = [];
  const next = <T>(list: T[] | undefined, fallback: T): T => (list && list.length > 1 ? list.shift()! : list?.length ? list[0] : fallback);
  const call = async <T>(name: keyof DependencyTrackApi, value: () => T): Promise<T> => {
    calls.push(name);
    if (script.hangOn === name) throw new DeadlineReached(); // what the adapter throws for a silent server
    return value();
  };
  return {
    calls,
    eventTokenProcessing: () => call('eventTokenProcessing', () => next(script.event, false)),
    bomTokenProcessing: () => call('bomTokenProcessing', () => next(script.bom, false)),
    lookupProject: (name, version) => call('lookupProject', () => ({ uuid: UUID, name, version })),
    refreshMetrics: () => call('refreshMetrics', () => script.refresh ?? true),
    currentMetrics: () => call('currentMetrics', () => next(script.metrics, metrics(ACCEPTED + 1))),
    violations: () => call('violations', () => script.violations ?? []),
  };
}

function job(clock: Clock, minutes = 10, log: string[] = []): WaitJob {
  return { token: 'tok-1', projectName: 'shop', projectVersion: '1.0', acceptedAt: ACCEPTED, deadlineAt: clock.now() + minutes * 60_000, timeoutMinutes: minutes, log: (l) => log.push(l) };
}

describe('syft Dependency-Track wait (pure core, fake clock)', () => {
  it('polling intervals grow from 2 s by half, up to 15 s', () => {
    assert.deepStrictEqual([0, 1, 2, 3, 4, 5, 6, 20].map(pollDelayMs), [2000, 3000, 4500, 6750, 10125, 15000, 15000, 15000]);
  });

  it('processing true, then false; stale metrics until refreshed; then violations: the documented order', async () => {
    const clock = fakeClock();
    const api = scriptedApi({ event: [true, true, true, false], metrics: [undefined, metrics(ACCEPTED - 60_000, { critical: 9 }), metrics(ACCEPTED + 500, { critical: 2, high: 1 })] });
    const log: string[] = [];
    const result = await waitForAnalysis(api, clock, job(clock, 10, log));
    assert.deepStrictEqual(api.calls, [
      'eventTokenProcessing', 'eventTokenProcessing', 'eventTokenProcessing', 'eventTokenProcessing',
      'lookupProject', 'refreshMetrics',
      'currentMetrics', 'currentMetrics', 'currentMetrics',
      'violations',
    ]);
    assert.deepStrictEqual(clock.sleeps, [2000, 3000, 4500, 2000, 3000], 'growing intervals, restarted for the metrics');
    assert.deepStrictEqual([result.metrics.critical, result.metrics.high], [2, 1], 'the metrics that include the upload, not the stale ones');
    assert.strictEqual(result.project.uuid, UUID);
    assert.strictEqual(result.waitedMs, 14_500);
    assert.match(log[0], /finished processing the SBOM after 9\.5 s/);
  });

  it('a server older than 4.11 (no /api/v1/event): falls back to /api/v1/bom/token, said once', async () => {
    const clock = fakeClock();
    const api = scriptedApi({ event: [undefined], bom: [true, false] });
    const log: string[] = [];
    await waitForAnalysis(api, clock, job(clock, 10, log));
    assert.deepStrictEqual(api.calls.slice(0, 3), ['eventTokenProcessing', 'bomTokenProcessing', 'bomTokenProcessing']);
    assert.strictEqual(log.filter((l) => /older than 4\.11.*\/api\/v1\/bom\/token/.test(l)).length, 1);
  });

  it('a key that may not refresh metrics (no PORTFOLIO_MANAGEMENT) waits for Dependency-Track\'s own update', async () => {
    const clock = fakeClock();
    const api = scriptedApi({ refresh: false, metrics: [metrics(ACCEPTED - 1), metrics(ACCEPTED)] });
    const log: string[] = [];
    const result = await waitForAnalysis(api, clock, job(clock, 10, log));
    assert.strictEqual(result.metrics.lastOccurrence, ACCEPTED, 'metrics at the acceptance time count');
    assert.ok(log.some((l) => /needs PORTFOLIO_MANAGEMENT/.test(l)));
  });

  it('processing that never ends: one deadline, a message naming the step and what to do', async () => {
    const clock = fakeClock();
    const api = scriptedApi({ event: [true] });
    await assert.rejects(waitForAnalysis(api, clock, job(clock, 1)), (e: Error) => {
      assert.ok(e instanceof UserError);
      assert.match(e.message, /did not finish within dependencyTrackTimeoutMinutes \(1 min\): the task was still waiting for processing the SBOM \(token tok-1\)\..*queue/);
      return true;
    });
    assert.strictEqual(clock.now() - ACCEPTED, 60_000, 'stops at the deadline, not after a whole interval more');
    assert.ok(clock.sleeps.every((ms) => ms <= 15_000));
  });

  it('metrics that never include the upload: the deadline message names that step and the missing refresh permission', async () => {
    const clock = fakeClock();
    const api = scriptedApi({ refresh: false, metrics: [metrics(ACCEPTED - 1)] });
    await assert.rejects(waitForAnalysis(api, clock, job(clock, 2)), /still waiting for the metrics of project 'shop' version '1\.0' to include this upload\. Give the API key PORTFOLIO_MANAGEMENT/);
  });

  it('the deadline covers the whole wait, not each step: time spent processing counts against the metrics step', async () => {
    const clock = fakeClock();
    const api = scriptedApi({ event: [true, true, true, true, true, true, true, false], metrics: [metrics(ACCEPTED - 1)] });
    await assert.rejects(waitForAnalysis(api, clock, job(clock, 1)), /still waiting for the metrics/);
    assert.strictEqual(clock.now() - ACCEPTED, 60_000);
  });

  for (const step of ['lookupProject', 'currentMetrics', 'violations'] as const) {
    it(`a server that stops answering during ${step}: fails at the deadline naming that step`, async () => {
      const clock = fakeClock();
      const api = scriptedApi({ hangOn: step });
      const expected = { lookupProject: /looking up project 'shop' version '1\.0'/, currentMetrics: /the metrics of project/, violations: /reading the policy violations/ }[step];
      await assert.rejects(waitForAnalysis(api, clock, job(clock)), (e: Error) => e instanceof UserError && expected.test(e.message));
    });
  }

  it('errors other than the deadline pass through unchanged (e.g. a permission message)', async () => {
    const clock = fakeClock();
    const api = scriptedApi({});
    api.violations = async () => {
      throw new UserError('needs VIEW_POLICY_VIOLATION');
    };
    await assert.rejects(waitForAnalysis(api, clock, job(clock)), /^UserError: needs VIEW_POLICY_VIOLATION$/);
  });
});

describe('syft Dependency-Track gate (pure)', () => {
  const violation = (state: string, policy = 'p', component = 'c@1'): PolicyViolation => ({ state, policy, component, type: 'SECURITY' });
  const analysis = (m: Partial<ProjectMetrics>, violations: PolicyViolation[] = []) => ({ metrics: metrics(ACCEPTED, m), violations });

  it('counts vulnerabilities from the metrics and violations by state from the list', () => {
    const counts = gateCounts(analysis({ critical: 1, high: 2, medium: 3, low: 4, unassigned: 5 }, [violation('FAIL'), violation('warn'), violation('WARN'), violation('INFO')]));
    assert.deepStrictEqual(counts, { critical: 1, high: 2, medium: 3, low: 4, unassigned: 5, policyViolationFail: 1, policyViolationWarn: 2 });
  });

  it('failOnSeverity: that severity or worse fails; unassigned never does; none never does', () => {
    const counts = gateCounts(analysis({ medium: 2, unassigned: 7 }));
    assert.deepStrictEqual(gateFailures(counts, 'high', 'none'), []);
    assert.deepStrictEqual(gateFailures(counts, 'medium', 'none'), ['Dependency-Track reports 2 medium vulnerabilities (dependencyTrackFailOnSeverity is medium).']);
    assert.deepStrictEqual(gateFailures(gateCounts(analysis({ critical: 1, medium: 2 })), 'low', 'none'), ['Dependency-Track reports 1 critical, 2 medium vulnerabilities (dependencyTrackFailOnSeverity is low).']);
    assert.deepStrictEqual(gateFailures(gateCounts(analysis({ critical: 1 })), 'critical', 'none'), ['Dependency-Track reports 1 critical vulnerability (dependencyTrackFailOnSeverity is critical).']);
    assert.deepStrictEqual(gateFailures(gateCounts(analysis({ critical: 5 })), 'none', 'none'), []);
  });

  it('failOnPolicyViolation: warn fails on WARN or FAIL, fail only on FAIL, INFO never', () => {
    const infoOnly = gateCounts(analysis({}, [violation('INFO')]));
    const warnOnly = gateCounts(analysis({}, [violation('WARN'), violation('INFO')]));
    const both = gateCounts(analysis({}, [violation('WARN'), violation('FAIL')]));
    assert.deepStrictEqual(gateFailures(infoOnly, 'none', 'warn'), []);
    assert.deepStrictEqual(gateFailures(warnOnly, 'none', 'fail'), []);
    assert.deepStrictEqual(gateFailures(warnOnly, 'none', 'warn'), ['Dependency-Track reports 1 WARN policy violation(s) (dependencyTrackFailOnPolicyViolation is warn).']);
    assert.deepStrictEqual(gateFailures(both, 'none', 'fail'), ['Dependency-Track reports 1 FAIL policy violation(s) (dependencyTrackFailOnPolicyViolation is fail).']);
    assert.deepStrictEqual(gateFailures(both, 'none', 'warn'), ['Dependency-Track reports 1 FAIL and 1 WARN policy violation(s) (dependencyTrackFailOnPolicyViolation is warn).']);
    assert.deepStrictEqual(gateFailures(both, 'none', 'none'), []);
  });

  it('violations are listed FAIL, WARN, INFO, then by policy and component', () => {
    const sorted = sortViolations([violation('INFO', 'a'), violation('WARN', 'b'), violation('FAIL', 'z', 'y@1'), violation('FAIL', 'z', 'x@1')]);
    assert.deepStrictEqual(sorted.map((v) => `${v.state} ${v.policy} ${v.component}`), ['FAIL z x@1', 'FAIL z y@1', 'WARN b c@1', 'INFO a c@1']);
  });
});
