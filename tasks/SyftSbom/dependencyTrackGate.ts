// Pure core of "wait for Dependency-Track, then gate": the order of the API calls, the polling
// schedule and the one deadline, and the verdict. The HTTP side is behind DependencyTrackApi and
// the time behind Clock, so the whole sequence runs in unit tests with a fake clock.
import { UserError } from '../common/errors';

export interface ProjectRef {
  uuid: string;
  name: string;
  version: string;
}

/** `GET /api/v1/metrics/project/{uuid}/current`, the fields the gate reads. */
export interface ProjectMetrics {
  critical: number;
  high: number;
  medium: number;
  low: number;
  unassigned: number;
  /** epoch ms, by the server's clock */
  lastOccurrence: number;
}

/** One entry of `GET /api/v1/violation/project/{uuid}`. */
export interface PolicyViolation {
  policy: string;
  /** the policy's violationState: FAIL, WARN or INFO */
  state: string;
  /** LICENSE, SECURITY or OPERATIONAL */
  type: string;
  component: string;
}

/**
 * The Dependency-Track reads, one per step. Each throws a UserError for an answer it cannot use
 * (naming the permission on 401/403), and DeadlineReached when the wait's deadline passes while
 * the server has not answered.
 */
export interface DependencyTrackApi {
  /** `GET /api/v1/event/token/{token}`: undefined when the server has no such endpoint (before 4.11). */
  eventTokenProcessing(token: string): Promise<boolean | undefined>;
  /** `GET /api/v1/bom/token/{token}` (deprecated since 4.11). */
  bomTokenProcessing(token: string): Promise<boolean>;
  lookupProject(name: string, version: string): Promise<ProjectRef>;
  /** `GET /api/v1/metrics/project/{uuid}/refresh`: false when the key may not ask (PORTFOLIO_MANAGEMENT). */
  refreshMetrics(uuid: string): Promise<boolean>;
  /** undefined while the project has no metrics yet */
  currentMetrics(uuid: string): Promise<ProjectMetrics | undefined>;
  violations(uuid: string): Promise<PolicyViolation[]>;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** The wait's deadline passed while a request was in flight. */
export class DeadlineReached extends Error {
  constructor() {
    super('the Dependency-Track wait reached its deadline');
    this.name = 'DeadlineReached';
  }
}

/** Poll intervals grow from 2 s by half each time, up to 15 s: 2, 3, 4.5, 6.75, 10.1, 15, 15, … Pure. */
export function pollDelayMs(poll: number): number {
  return Math.min(15_000, Math.round(2000 * 1.5 ** poll));
}

export interface WaitJob {
  token: string;
  projectName: string;
  projectVersion: string;
  /** metrics whose lastOccurrence is at or after this (server clock) include the upload */
  acceptedAt: number;
  /** the one deadline (epoch ms, clock's time) … */
  deadlineAt: number;
  /** … which is dependencyTrackTimeoutMinutes from the start, for the message */
  timeoutMinutes: number;
  log: (line: string) => void;
}

export interface Analysis {
  project: ProjectRef;
  metrics: ProjectMetrics;
  violations: PolicyViolation[];
  /** how long the wait took, ms */
  waitedMs: number;
}

/**
 * Waits until Dependency-Track has processed the upload, then reads the project's metrics (once
 * they include the upload) and its policy violations, all by `deadlineAt` (the api's requests end
 * by it too); running out of time is a UserError saying which step was still waiting.
 */
export async function waitForAnalysis(api: DependencyTrackApi, clock: Clock, job: WaitJob): Promise<Analysis> {
  const started = clock.now();
  const deadline = job.deadlineAt;
  let step = `processing the SBOM (token ${job.token})`;
  let advice = 'Dependency-Track may be busy or its analysis queue stuck: check the server (its log and the number of queued events), or raise dependencyTrackTimeoutMinutes.';
  let polls = 0;
  /** Waits the next poll interval; DeadlineReached when the deadline comes first. */
  const pause = async () => {
    const left = deadline - clock.now();
    if (left <= 0) throw new DeadlineReached();
    await clock.sleep(Math.min(pollDelayMs(polls++), left));
    if (clock.now() >= deadline) throw new DeadlineReached();
  };
  try {
    let hasEventApi = true;
    for (;;) {
      let processing: boolean | undefined;
      if (hasEventApi) processing = await api.eventTokenProcessing(job.token);
      if (processing === undefined) {
        if (hasEventApi) job.log('This Dependency-Track has no /api/v1/event/token (it is older than 4.11); polling /api/v1/bom/token instead.');
        hasEventApi = false;
        processing = await api.bomTokenProcessing(job.token);
      }
      if (!processing) break;
      await pause();
    }
    job.log(`Dependency-Track finished processing the SBOM after ${seconds(clock.now() - started)}.`);

    step = `looking up project '${job.projectName}' version '${job.projectVersion}'`;
    advice = 'Check that the server answers, or raise dependencyTrackTimeoutMinutes.';
    const project = await api.lookupProject(job.projectName, job.projectVersion);

    step = `refreshing the metrics of project '${job.projectName}' version '${job.projectVersion}'`;
    const refreshed = await api.refreshMetrics(project.uuid);
    if (!refreshed) {
      job.log('The API key may not ask for a metrics refresh (that needs PORTFOLIO_MANAGEMENT); waiting for the update Dependency-Track runs after its policy evaluation.');
    }

    step = `the metrics of project '${job.projectName}' version '${job.projectVersion}' to include this upload`;
    advice = refreshed
      ? 'Dependency-Track updates metrics on a queue: check the server, or raise dependencyTrackTimeoutMinutes.'
      : 'Give the API key PORTFOLIO_MANAGEMENT so that the task can ask for fresh metrics, or raise dependencyTrackTimeoutMinutes.';
    polls = 0;
    let metrics: ProjectMetrics | undefined;
    for (;;) {
      metrics = await api.currentMetrics(project.uuid);
      // Metrics lag behind processing (DependencyTrack#460): older ones do not count this SBOM yet.
      if (metrics && metrics.lastOccurrence >= job.acceptedAt) break;
      await pause();
    }

    step = `reading the policy violations of project '${job.projectName}' version '${job.projectVersion}'`;
    advice = 'Check that the server answers, or raise dependencyTrackTimeoutMinutes.';
    const violations = await api.violations(project.uuid);
    return { project, metrics, violations, waitedMs: clock.now() - started };
  } catch (err) {
    if (!(err instanceof DeadlineReached)) throw err;
    throw new UserError(`Dependency-Track did not finish within dependencyTrackTimeoutMinutes (${job.timeoutMinutes} min): the task was still waiting for ${step}. ${advice}`);
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type FailOnSeverity = Severity | 'none';
export type FailOnPolicyViolation = 'none' | 'warn' | 'fail';

export interface GateCounts {
  critical: number;
  high: number;
  medium: number;
  low: number;
  unassigned: number;
  policyViolationFail: number;
  policyViolationWarn: number;
}

/** The counts the outputs and the gate use: vulnerabilities from the metrics, violations from their list. Pure. */
export function gateCounts(analysis: Pick<Analysis, 'metrics' | 'violations'>): GateCounts {
  const { metrics, violations } = analysis;
  const inState = (state: string) => violations.filter((v) => v.state.toUpperCase() === state).length;
  return {
    critical: metrics.critical,
    high: metrics.high,
    medium: metrics.medium,
    low: metrics.low,
    unassigned: metrics.unassigned,
    policyViolationFail: inState('FAIL'),
    policyViolationWarn: inState('WARN'),
  };
}

/** Why the gate fails, one reason per rule that is broken; empty when it passes. Pure. */
export function gateFailures(counts: GateCounts, failOnSeverity: FailOnSeverity, failOnPolicyViolation: FailOnPolicyViolation): string[] {
  const reasons: string[] = [];
  if (failOnSeverity !== 'none') {
    const atOrAbove = SEVERITIES.slice(0, SEVERITIES.indexOf(failOnSeverity) + 1);
    const found = atOrAbove.filter((s) => counts[s] > 0);
    if (found.length) {
      reasons.push(`Dependency-Track reports ${found.map((s) => `${counts[s]} ${s}`).join(', ')} vulnerabilit${found.length === 1 && counts[found[0]] === 1 ? 'y' : 'ies'} (dependencyTrackFailOnSeverity is ${failOnSeverity}).`);
    }
  }
  if (failOnPolicyViolation !== 'none') {
    const fail = counts.policyViolationFail;
    const warn = failOnPolicyViolation === 'warn' ? counts.policyViolationWarn : 0;
    if (fail + warn > 0) {
      const parts = [fail ? `${fail} FAIL` : '', warn ? `${warn} WARN` : ''].filter(Boolean);
      reasons.push(`Dependency-Track reports ${parts.join(' and ')} policy violation(s) (dependencyTrackFailOnPolicyViolation is ${failOnPolicyViolation}).`);
    }
  }
  return reasons;
}

/** Violations for the summary: FAIL, then WARN, then INFO, then by policy and component. Pure. */
export function sortViolations(violations: PolicyViolation[]): PolicyViolation[] {
  const rank = (state: string) => ({ FAIL: 0, WARN: 1, INFO: 2 })[state.toUpperCase()] ?? 3;
  return violations.slice().sort((a, b) => rank(a.state) - rank(b.state) || a.policy.localeCompare(b.policy) || a.component.localeCompare(b.component));
}

/** An input value that must be one of `allowed` (case-insensitive). Pure. */
export function parseChoice<T extends string>(name: string, raw: string | undefined, allowed: readonly T[], fallback: T): T {
  const value = raw?.trim().toLowerCase();
  if (!value) return fallback;
  const found = allowed.find((a) => a === value);
  if (!found) throw new UserError(`Input ${name} must be one of ${allowed.join(', ')}, not '${raw!.trim()}'.`);
  return found;
}
