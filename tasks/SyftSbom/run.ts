import fs = require('fs');
import path = require('path');
import tl = require('azure-pipelines-task-lib/task');
import { chooseConfigFile } from '../common/config';
import { UserError } from '../common/errors';
import { runTool, ToolResult } from '../common/exec';
import { installTool } from '../common/install';
import { prepareOutputDirectory } from '../common/outputDirectory';
import { artifactForThisJob, publishFiles, publishSummary } from '../common/publish';
import { readRegistryLogin, RegistryLogin, registryAccessProblem, registryEnvironment } from '../common/registry';
import { reportStem } from '../common/target';
import { describeExit, logLine, neutraliseCommands, oneLine, tailText } from '../common/text';
import { uploadBom } from './dependencyTrack';
import { dependencyTrackApi } from './dependencyTrackApi';
import { Analysis, gateCounts, gateFailures, realClock, waitForAnalysis } from './dependencyTrackGate';
import { FormatSpec, isCycloneDx } from './formats';
import { readInputs, SyftInputs } from './inputs';
import { provenanceProperties } from './provenance';
import { IncompleteOutputError, ProcessedSbom, processSbom } from './sbomProcessing';
import { DependencyTrackSummary, renderSummary } from './summary';
import { SYFT_ENV, SyftPlan, syftArguments } from './syftArguments';
import { prepareJsonValidator } from './validation';

/** CycloneDX version Syft writes without `@version`: 1.7 since Syft 1.46.0, 1.6 before. Pure. */
function defaultCycloneDxVersion(syftVersion: string): string {
  const match = /^v?(\d+)\.(\d+)\./.exec(syftVersion);
  if (!match) return '1.6';
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 1 || (major === 1 && minor >= 46) ? '1.7' : '1.6';
}

/** Syft's version from `syft version` (binaryPath mode, where the installer cannot know it). */
async function askSyftVersion(syftPath: string): Promise<string> {
  try {
    const result = await runTool({ name: 'Syft', path: syftPath, args: ['version'], silent: true, env: SYFT_ENV });
    const match = /^Version:\s*v?(\S+)/im.exec(result.stdout) ?? /\bsyft\s+v?(\d+\.\d+\.\d+\S*)/i.exec(result.stdout);
    return result.exitCode === 0 && match ? match[1] : '';
  } catch {
    return '';
  }
}

/**
 * SyftSbom@1: run Syft once for every format → check each output is complete → provenance and
 * validation (each SBOM loaded once) → publish → Dependency-Track → summary → variables → result.
 */
export async function run(): Promise<void> {
  const inputs = readInputs();
  const outputDirectory = prepareOutputDirectory(inputs.outputDirectory, 'sbom');
  const artifactName = artifactForThisJob(inputs.artifactName, outputDirectory);
  const config = chooseConfigFile('syft', inputs.configFile, tl.getVariable('Build.SourcesDirectory'));
  logLine(config.message);
  const login = readRegistryLogin(inputs.containerRegistry);

  const syft = await installTool(inputs.install);
  const syftVersion = syft.version || (await askSyftVersion(syft.path));

  const stem = reportStem(inputs.target, tl.getVariable('Agent.JobName'));
  const plan = syftArguments({
    target: inputs.target,
    formats: inputs.formats,
    outputDirectory,
    stem,
    configFile: config.path,
    additionalArguments: inputs.additionalArguments,
    registryEnv: login ? registryEnvironment('SYFT', login) : undefined,
  });
  // A file left by an earlier run must not pass for this run's output.
  for (const output of plan.outputs) fs.rmSync(output.file, { force: true });

  logLine(`Generating ${plan.outputs.map((o) => path.basename(o.file)).join(', ')} from ${inputs.target} with Syft ${syftVersion || ''}`.trim());
  const running = runTool({ name: 'Syft', path: syft.path, args: plan.args, env: plan.env });
  running.catch(() => undefined); // awaited below; no unhandled rejection meanwhile
  // Compile the CycloneDX JSON schema while Syft works (large SBOMs: ~0.4 s less afterwards).
  const cdxJson = inputs.validateSbom ? inputs.formats.find((f) => f.kind === 'cyclonedx-json') : undefined;
  if (cdxJson) await prepareJsonValidator(cdxJson.version ?? defaultCycloneDxVersion(syftVersion));
  const result = await running;
  const uploadFormat = inputs.dependencyTrack ? plan.outputs.find((o) => isCycloneDx(o.format))?.format : undefined;
  let sboms: ProcessedSbom[];
  try {
    sboms = await processOutputs(plan, result, inputs, uploadFormat, login);
  } catch (err) {
    // Whatever Syft wrote is published before the task fails.
    publishFiles(artifactName, plan.outputs.map((o) => o.file).filter((f) => fs.existsSync(f)));
    throw err;
  }

  // Reports are published before the task decides its result.
  publishFiles(artifactName, sboms.map((s) => s.file));
  const problem = validationProblem(sboms);

  let dependencyTrack: DependencyTrackSummary | undefined;
  let dependencyTrackError: UserError | undefined;
  let analysis: Analysis | undefined;
  const dt = inputs.dependencyTrack;
  if (dt) {
    const { target } = dt;
    const upload = sboms.find((s) => s.format === uploadFormat)!;
    dependencyTrack = { url: target.baseUrl, project: target.projectName, version: target.projectVersion, frontendUrl: dt.frontendUrl };
    if (problem && inputs.failOnInvalid) {
      // The step fails below: Dependency-Track must not get an SBOM the pipeline rejects.
      dependencyTrack.skipped = 'failOnInvalid is true and the CycloneDX validation did not pass';
      logLine(`Not uploading ${path.basename(upload.file)} to Dependency-Track: ${dependencyTrack.skipped} (${problem})`);
    } else {
      const options = [target.tags?.length ? `tags ${target.tags.join(', ')}` : '', target.parentName ? `parent '${target.parentName}'${target.parentVersion ? ` '${target.parentVersion}'` : ''}` : '', target.isLatest ? 'latest version' : ''].filter(Boolean);
      logLine(`Uploading ${path.basename(upload.file)} to Dependency-Track ${target.baseUrl} (project '${target.projectName}', version '${target.projectVersion}', autoCreate${options.length ? `, ${options.join(', ')}` : ''}).`);
      try {
        const answer = await uploadBom(target, upload.content!, path.basename(upload.file), upload.format.kind === 'cyclonedx-xml' ? 'application/xml' : 'application/json', dt.timeoutMinutes);
        dependencyTrack.token = oneLine(answer.token, 100);
        logLine(`Dependency-Track accepted the SBOM; processing token: ${dependencyTrack.token}.`);
        upload.content = undefined; // the wait can be long: free the SBOM first
        if (dt.wait) {
          logLine(`Waiting for Dependency-Track to analyse the SBOM (at most ${dt.timeoutMinutes} min, dependencyTrackTimeoutMinutes).`);
          const deadlineAt = Date.now() + dt.timeoutMinutes * 60_000;
          analysis = await waitForAnalysis(dependencyTrackApi(target, deadlineAt), realClock, {
            token: answer.token,
            projectName: target.projectName,
            projectVersion: target.projectVersion,
            acceptedAt: answer.acceptedAt,
            deadlineAt,
            timeoutMinutes: dt.timeoutMinutes,
            log: logLine,
          });
          dependencyTrack.analysis = analysis;
          const counts = gateCounts(analysis);
          logLine(
            `Dependency-Track project ${analysis.project.uuid}: ${counts.critical} critical, ${counts.high} high, ${counts.medium} medium, ${counts.low} low, ${counts.unassigned} unassigned; ` +
              `policy violations: ${counts.policyViolationFail} FAIL, ${counts.policyViolationWarn} WARN, ${analysis.violations.length - counts.policyViolationFail - counts.policyViolationWarn} INFO.`,
          );
        }
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        dependencyTrackError = err;
        dependencyTrack.error = oneLine(err.message, 300);
      }
    }
    upload.content = undefined;
  }

  const primary = sboms[0];
  // A text format (table, purls) may come first; the components are those of the first SBOM.
  const counted = sboms.find((s) => s.format.kind !== 'text');
  const componentCount = counted?.counts?.packages ?? 0;
  publishSummary(
    outputDirectory,
    `${stem}.sbom-summary.md`,
    renderSummary({
      target: inputs.target,
      syftVersion,
      sboms,
      counted,
      artifactName,
      dependencyTrack,
    }),
  );

  tl.setVariable('sbomFiles', sboms.map((s) => s.file).join(','), false, true);
  tl.setVariable('primarySbom', primary.file, false, true);
  tl.setVariable('componentCount', String(componentCount), false, true);
  tl.setVariable('sbomSha256', primary.sha256, false, true);
  tl.setVariable('syftVersion', syftVersion, false, true);
  const gate = analysis && dt?.wait ? gateFailures(setDependencyTrackVariables(analysis), dt.wait.failOnSeverity, dt.wait.failOnPolicyViolation) : [];

  if (dependencyTrackError) throw dependencyTrackError;
  if (gate.length) {
    tl.setResult(tl.TaskResult.Failed, neutraliseCommands(`${gate.join(' ')}${problem ? ` Also: ${problem}` : ''} See the Dependency-Track section of the summary.`));
    return;
  }
  if (problem) {
    if (inputs.failOnInvalid) {
      tl.setResult(tl.TaskResult.Failed, `${problem} failOnInvalid is true${dependencyTrack?.skipped ? ', so the SBOM was not uploaded to Dependency-Track' : ''}.`);
      return;
    }
    tl.setResult(tl.TaskResult.SucceededWithIssues, `${problem} Set failOnInvalid: true to fail the step instead.`);
    return;
  }
  tl.setResult(tl.TaskResult.Succeeded, `Generated ${sboms.length} SBOM file(s) with ${componentCount} package(s).`);
}

/** The dt* output variables of a finished wait; returns the counts the gate reads. */
function setDependencyTrackVariables(analysis: Analysis): ReturnType<typeof gateCounts> {
  const counts = gateCounts(analysis);
  const set = (name: string, value: number | string) => tl.setVariable(name, String(value), false, true);
  set('dtCriticalCount', counts.critical);
  set('dtHighCount', counts.high);
  set('dtMediumCount', counts.medium);
  set('dtLowCount', counts.low);
  set('dtUnassignedCount', counts.unassigned);
  set('dtPolicyViolationFailCount', counts.policyViolationFail);
  set('dtPolicyViolationWarnCount', counts.policyViolationWarn);
  set('dtProjectUuid', analysis.project.uuid);
  return counts;
}

/** What is wrong with the CycloneDX validation: invalid SBOMs, then SBOMs that could not be checked. Pure. */
function validationProblem(sboms: ProcessedSbom[]): string | undefined {
  const invalid = sboms.filter((s) => s.validation?.checked && !s.validation.valid);
  const unchecked = sboms.filter((s) => s.validation && !s.validation.checked);
  const parts: string[] = [];
  if (invalid.length) {
    parts.push(`${invalid.map((s) => `${path.basename(s.file)} (${s.validation!.errorCount} error(s))`).join(', ')} ${invalid.length === 1 ? 'is' : 'are'} not valid CycloneDX; the errors are in the log and the summary.`);
  }
  if (unchecked.length) {
    parts.push(`${unchecked.map((s) => `${path.basename(s.file)} (${oneLine(s.validation!.note ?? '', 200)})`).join(', ')} could not be validated as CycloneDX.`);
  }
  return parts.length ? neutraliseCommands(parts.join(' ')) : undefined;
}

/** Syft's exit code, then each output in turn: complete, provenance, validation (each loaded once). */
async function processOutputs(plan: SyftPlan, result: ToolResult, inputs: SyftInputs, uploadFormat: FormatSpec | undefined, login: RegistryLogin | undefined): Promise<ProcessedSbom[]> {
  if (result.exitCode !== 0) {
    const refused = registryAccessProblem(result.stderrTail.join('\n'), login, inputs.containerRegistry);
    if (refused) throw new UserError(`Syft failed: ${describeExit(result.exitCode)}. ${refused}${tailText(result.stderrTail)}`);
    throw new UserError(
      `Syft failed (${describeExit(result.exitCode)}) while generating the SBOM for ${inputs.target}. Check the target (image name, registry access, path) and the Syft messages.${tailText(result.stderrTail)}`,
    );
  }
  const provenance = inputs.addPipelineMetadata ? provenanceProperties(process.env) : undefined;
  const sboms: ProcessedSbom[] = [];
  const counted = plan.outputs.find((o) => o.format.kind !== 'text');
  for (const output of plan.outputs) {
    let sbom: ProcessedSbom;
    try {
      sbom = await processSbom(output.format, output.file, {
        provenance,
        validate: inputs.validateSbom,
        count: output === counted,
        keepContent: output.format === uploadFormat,
      });
    } catch (err) {
      if (err instanceof IncompleteOutputError) {
        throw new UserError(`${err.message} Syft exited with code 0 but its output is unusable; check the agent's disk space and the Syft messages.${tailText(result.stderrTail)}`);
      }
      throw err;
    }
    sboms.push(sbom);
    logSbom(sbom);
  }
  return sboms;
}

function logSbom(sbom: ProcessedSbom): void {
  const name = path.basename(sbom.file);
  const counts = sbom.counts ? `, ${sbom.counts.packages} package(s) in ${sbom.counts.total} component(s)` : '';
  logLine(`${name}: ${sbom.format.name}${sbom.specVersion ? ` ${oneLine(sbom.specVersion, 40)}` : ''}, ${sbom.bytes} bytes, sha256 ${sbom.sha256}${counts}`);
  if (sbom.provenance) {
    logLine(sbom.provenance.added ? `${name}: added ${sbom.provenance.added} pipeline provenance properties to metadata.properties.` : `${name}: no pipeline provenance added: ${oneLine(sbom.provenance.skipped ?? '')}.`);
  }
  const v = sbom.validation;
  if (!v) return;
  if (!v.checked) {
    tl.warning(`${name} could not be validated as CycloneDX: ${oneLine(v.note ?? '')}.`);
  } else if (v.valid) {
    logLine(`${name}: valid CycloneDX ${v.version} (checked against the CycloneDX schema).`);
  } else {
    tl.warning(`${name} is not valid CycloneDX ${v.version}: ${v.errorCount} schema error(s), first: ${v.errors[0] ?? ''}`);
    for (const line of v.errors) logLine(`  ${line}`);
  }
}
