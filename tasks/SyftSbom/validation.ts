import path = require('node:path');
import { readFileSync } from 'node:fs';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type * as SpecModule from '@cyclonedx/cyclonedx-library/dist.d/spec/index';
import { oneLine } from '../common/text';
import { installUniqueItems } from './uniqueItems';
import xmllintValidatorFactory, { XmlSchemaError } from './xmlValidatorBackend';

export interface ValidationOutcome {
  /** false when the document could not be checked (unknown version, no schema, validator failure). */
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

// The spec versions come from @cyclonedx/cyclonedx-library (its `/Spec` subpath: no validator code).
// This tsconfig's module resolution predates `exports`, so the types come from the declaration files.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Version } = require('@cyclonedx/cyclonedx-library/Spec') as typeof SpecModule;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const addFormatsDraft2019 = require('ajv-formats-draft2019') as (ajv: Ajv, options: { formats: string[] }) => Ajv;

/**
 * The CycloneDX schemas (JSON and XSD, from @cyclonedx/cyclonedx-library's `res/schema`), in
 * `assets/cyclonedx/schema` next to this code: the build writes them beside the bundle and beside
 * the tsc output (tasks/SyftSbom/build.hooks.mjs), so the task, its L0 and its unit tests validate
 * with the same code and the same files.
 */
export const SCHEMA_DIRECTORY = path.join(__dirname, 'assets', 'cyclonedx', 'schema');

const MAX_ERRORS = 10;
const KNOWN_VERSIONS = new Set<string>(Object.values(Version));

function notChecked(version: string | undefined, note: string): ValidationOutcome {
  return { checked: false, valid: false, version, errors: [], errorCount: 0, note };
}

function outcome(version: string, errors: null | unknown[]): ValidationOutcome {
  if (errors === null) return { checked: true, valid: true, version, errors: [], errorCount: 0 };
  return { checked: true, valid: false, version, errors: errors.slice(0, MAX_ERRORS).map(describeError), errorCount: errors.length };
}

/** One line per error: ajv `{instancePath, message, params}` or xmllint's `{message, line}`. */
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

const readSchema = (file: string): unknown => JSON.parse(readFileSync(path.join(SCHEMA_DIRECTORY, file), 'utf8'));

/**
 * The JSON schema of one spec version, compiled once, with Ajv set up as
 * @cyclonedx/cyclonedx-library's own JSON validator sets it up (no remote schemas; the SPDX, JSF
 * and cryptography schemas the bom schema refers to; its formats), but with `uniqueItems` checked
 * in linear time (./uniqueItems.ts; Ajv's is quadratic on arrays of objects such as components).
 */
const jsonValidators = new Map<string, ValidateFunction>();
function jsonValidator(version: string): ValidateFunction {
  let validate = jsonValidators.get(version);
  if (validate) return validate;
  const ajv = new Ajv({
    useDefaults: false,
    strict: false,
    strictSchema: false,
    addUsedSchema: false,
    loadSchema: (uri: string) => {
      throw new Error(`Remote schemas are disabled: ${uri}`);
    },
    schemas: {
      'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json': readSchema('spdx.SNAPSHOT.schema.json'),
      'http://cyclonedx.org/schema/cryptography-defs.SNAPSHOT.schema.json': readSchema('cryptography-defs.SNAPSHOT.schema.json'),
      'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json': readSchema('jsf-0.82.SNAPSHOT.schema.json'),
    } as Record<string, object>,
  });
  addFormats(ajv);
  addFormatsDraft2019(ajv, { formats: ['idn-email'] });
  ajv.addFormat('iri-reference', true);
  installUniqueItems(ajv);
  validate = ajv.compile(readSchema(`bom-${version}.SNAPSHOT.schema.json`) as object);
  jsonValidators.set(version, validate);
  return validate;
}

/** CycloneDX 1.0 and 1.1 have no JSON schema. */
const hasJsonSchema = (version: string) => version !== Version.v1dot0 && version !== Version.v1dot1;

/**
 * Compiles the JSON schema of `version` ahead of time (the task does it while Syft runs, when the
 * agent would otherwise sit idle). Never fails: a problem shows up again when validating.
 */
export async function prepareJsonValidator(version: string): Promise<void> {
  if (!KNOWN_VERSIONS.has(version) || !hasJsonSchema(version)) return;
  try {
    jsonValidator(version);
  } catch {
    // reported by the real validation
  }
}

/** Validates a parsed CycloneDX JSON document against the schema of the version it declares. */
export async function validateCycloneDxJson(doc: unknown): Promise<ValidationOutcome> {
  const { bomFormat, specVersion } = (doc ?? {}) as { bomFormat?: unknown; specVersion?: unknown };
  const v = typeof specVersion === 'string' ? specVersion : undefined;
  if (bomFormat !== 'CycloneDX' && v === undefined) return notChecked(v, 'the document is not CycloneDX JSON (it has neither bomFormat "CycloneDX" nor a specVersion)');
  const problem = versionProblem(v, 'JSON');
  if (problem) return problem;
  if (!hasJsonSchema(v!)) return notChecked(v, `CycloneDX ${v} has no JSON schema`);
  let validate: ValidateFunction;
  try {
    validate = jsonValidator(v!);
  } catch (err) {
    return notChecked(v, `the CycloneDX ${v} JSON schema could not be loaded (${oneLine((err as Error).message)})`);
  }
  return outcome(v!, validate(doc) ? null : (validate.errors ?? []));
}

/** One xmllint-wasm validator per spec version (it reads its XSD once). */
const xmlValidators = new Map<string, Promise<(data: string) => Promise<null | XmlSchemaError[]>>>();

/** Validates CycloneDX XML text against the XSD of the version its namespace declares. */
export async function validateCycloneDxXml(text: string, version: string | undefined): Promise<ValidationOutcome> {
  const problem = versionProblem(version, 'XML');
  if (problem) return problem;
  let validator = xmlValidators.get(version!);
  if (!validator) xmlValidators.set(version!, (validator = xmllintValidatorFactory(path.join(SCHEMA_DIRECTORY, `bom-${version}.SNAPSHOT.xsd`))));
  try {
    return outcome(version!, await (await validator)(text));
  } catch (err) {
    xmlValidators.delete(version!);
    return notChecked(version, `the XML schema validator failed (${oneLine((err as Error).message)})`);
  }
}
