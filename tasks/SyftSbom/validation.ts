import type * as ValidationModule from '@cyclonedx/cyclonedx-library/dist.d/validation/index.node';
import type * as SpecModule from '@cyclonedx/cyclonedx-library/dist.d/spec/index';
import { oneLine } from '../common/text';

export interface ValidationOutcome {
  /** false when the document could not be checked (unknown version, validator unavailable). */
  checked: boolean;
  valid: boolean;
  /** Spec version the document declares. */
  version?: string;
  /** Readable error lines (at most MAX_ERRORS), neutralised for the log. */
  errors: string[];
  errorCount: number;
  /** Why it was not checked. */
  note?: string;
}

// The library's subpath exports (`/Validation`, `/Spec`) keep the bundle to the validators; this
// tsconfig's module resolution predates `exports`, so the types come from the declaration files.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { JsonValidator, XmlValidator, MissingOptionalDependencyError, NotImplementedError } = require('@cyclonedx/cyclonedx-library/Validation') as typeof ValidationModule;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Version } = require('@cyclonedx/cyclonedx-library/Spec') as typeof SpecModule;
type Version = SpecModule.Version;

const MAX_ERRORS = 10;
const KNOWN_VERSIONS = new Set<string>(Object.values(Version));

function notChecked(version: string | undefined, note: string): ValidationOutcome {
  return { checked: false, valid: false, version, errors: [], errorCount: 0, note };
}

function outcome(version: string, errors: null | unknown[]): ValidationOutcome {
  if (errors === null) return { checked: true, valid: true, version, errors: [], errorCount: 0 };
  const list = Array.isArray(errors) ? errors : [errors];
  return {
    checked: true,
    valid: false,
    version,
    errors: list.slice(0, MAX_ERRORS).map(describeError),
    errorCount: list.length,
  };
}

/** One line per error: ajv `{instancePath, message, params}` or the XML backend's `{message, line}`. */
function describeError(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { instancePath?: string; message?: string; params?: Record<string, unknown>; line?: number };
    if (e.instancePath !== undefined) {
      const extra = e.params?.additionalProperty ?? e.params?.allowedValues ?? e.params?.missingProperty;
      return oneLine(`${e.instancePath || '/'}: ${e.message ?? 'invalid'}${extra !== undefined ? ` (${JSON.stringify(extra)})` : ''}`);
    }
    if (e.message) return oneLine(e.line ? `line ${e.line}: ${e.message}` : e.message);
  }
  return oneLine(String(error));
}

function versionProblem(version: string | undefined, kind: string): ValidationOutcome | undefined {
  if (!version) return notChecked(version, `the ${kind} document declares no CycloneDX spec version`);
  if (!KNOWN_VERSIONS.has(version)) return notChecked(version, `CycloneDX ${oneLine(version, 40)} is not a spec version @cyclonedx/cyclonedx-library knows (${[...KNOWN_VERSIONS].join(', ')})`);
  return undefined;
}

async function guarded(version: string, check: () => Promise<null | unknown[]>): Promise<ValidationOutcome> {
  try {
    return outcome(version, await check());
  } catch (err) {
    if (err instanceof NotImplementedError) return notChecked(version, `the library has no schema for CycloneDX ${version} in this format`);
    if (err instanceof MissingOptionalDependencyError) return notChecked(version, `the schema validator is not available (${oneLine((err as Error).message)})`);
    throw err;
  }
}

/** One library validator per spec version: it compiles its schema once and keeps it. */
const jsonValidators = new Map<Version, InstanceType<typeof JsonValidator>>();
function jsonValidator(version: Version): InstanceType<typeof JsonValidator> {
  let validator = jsonValidators.get(version);
  if (!validator) jsonValidators.set(version, (validator = new JsonValidator(version)));
  return validator;
}

/**
 * Compiles the JSON schema of `version` ahead of time (the task does it while Syft runs, when the
 * agent would otherwise sit idle). Never fails: a problem shows up again when validating.
 */
export async function prepareJsonValidator(version: string): Promise<void> {
  if (!KNOWN_VERSIONS.has(version) || version === '1.0' || version === '1.1') return;
  try {
    await jsonValidator(version as Version).validate({ bomFormat: 'CycloneDX', specVersion: version } as unknown as string);
  } catch {
    // reported by the real validation
  }
}

/**
 * Validates a parsed CycloneDX JSON document against the schema of the version it declares, with
 * the library's JsonValidator. The packaged task passes the parsed object (the build lets the
 * library's ajv backend accept one, so the SBOM is not parsed a second time); elsewhere the
 * library only takes text and gets the serialised document.
 */
export async function validateCycloneDxJson(doc: unknown, serialise: () => string): Promise<ValidationOutcome> {
  const { bomFormat, specVersion } = (doc ?? {}) as { bomFormat?: unknown; specVersion?: unknown };
  const v = typeof specVersion === 'string' ? specVersion : undefined;
  if (bomFormat !== 'CycloneDX' && v === undefined) return notChecked(v, 'the document is not CycloneDX JSON (it has neither bomFormat "CycloneDX" nor a specVersion)');
  const problem = versionProblem(v, 'JSON');
  if (problem) return problem;
  if (v === Version.v1dot0 || v === Version.v1dot1) return notChecked(v, `CycloneDX ${v} has no JSON schema`);
  const validator = jsonValidator(v as Version);
  return guarded(v!, async () => {
    try {
      return await validator.validate(doc as string);
    } catch (err) {
      // Unbundled library: it JSON.parse()s its argument, so give it text.
      if (err instanceof SyntaxError && typeof doc !== 'string') return validator.validate(serialise());
      throw err;
    }
  });
}

/** Validates CycloneDX XML text against the XSD of the version its namespace declares. */
export async function validateCycloneDxXml(text: string, version: string | undefined): Promise<ValidationOutcome> {
  const problem = versionProblem(version, 'XML');
  if (problem) return problem;
  return guarded(version!, () => new XmlValidator(version as Version).validate(text));
}
