// Tests for templates/**: schema validation with Microsoft's azure-pipelines-language-service
// (with entries for GrypeScan@1 / SyftSbom@1 generated from their task.json at run time), and
// structural checks on the templates after a small compile-time expansion
// (${{ parameters.x }}, ${{ if }}, ${{ each }}, ${{ insert }}, `template:` references).
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import {
    createValidator, formatProblems, inputNames, isTemplateExpressionFalsePositive, pipelineSchemaWithTasks, PipelineValidator,
    readTaskJson, TaskJson, taskReference,
} from '../harness/pipelineSchema';
import { repoRoot, sharedSchemasDir } from '../harness/paths';

const templatesDir = path.join(repoRoot, 'templates');
/**
 * Microsoft's Azure Pipelines schema, from ../shared/schemas (CI here); no npm package ships it,
 * so a clone on its own skips the language-service validation and keeps the structural checks.
 */
const schemaPath = sharedSchemasDir() && path.join(sharedSchemasDir()!, 'azure-pipelines.schema.json');
const samplePath = path.join(templatesDir, 'examples', 'azure-pipelines.yml');
const JOB_NAME = /^[A-Za-z0-9_]+$/;

type Yaml = unknown;
type YMap = Record<string, Yaml>;

function isMap(v: Yaml): v is YMap {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Azure Pipelines reads every scalar as a string: so does FAILSAFE_SCHEMA. */
function loadYaml(file: string): Yaml {
    return yaml.load(fs.readFileSync(file, 'utf8'), { schema: yaml.FAILSAFE_SCHEMA, filename: file });
}

function listYamlFiles(dir: string): string[] {
    const out: string[] = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            out.push(...listYamlFiles(full));
        } else if (/\.ya?ml$/i.test(entry.name)) {
            out.push(full);
        }
    }
    return out.sort();
}

const rel = (file: string) => path.relative(repoRoot, file);

// ---------------------------------------------------------------------------------------
// Template expressions: a small evaluator for the subset the templates use.
// ---------------------------------------------------------------------------------------
type Value = string | number | boolean | null | undefined | Value[] | { [k: string]: Value };

interface Scope {
    parameters: Record<string, Value>;
    locals: Record<string, Value>;
    file: string;
}

type Token = { kind: 'str' | 'num' | 'id' | 'punct'; text: string };

function tokenize(expr: string): Token[] {
    const tokens: Token[] = [];
    let i = 0;
    while (i < expr.length) {
        const c = expr[i];
        if (/\s/.test(c)) { i++; continue; }
        if (c === "'") {
            let s = '';
            i++;
            for (;;) {
                if (i >= expr.length) throw new Error(`unterminated string in ${expr}`);
                if (expr[i] === "'") {
                    if (expr[i + 1] === "'") { s += "'"; i += 2; continue; }
                    i++;
                    break;
                }
                s += expr[i++];
            }
            tokens.push({ kind: 'str', text: s });
            continue;
        }
        const num = /^-?\d+(\.\d+)?/.exec(expr.slice(i));
        if (num) { tokens.push({ kind: 'num', text: num[0] }); i += num[0].length; continue; }
        const id = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(expr.slice(i));
        if (id) { tokens.push({ kind: 'id', text: id[0] }); i += id[0].length; continue; }
        if ('(),.[]'.includes(c)) { tokens.push({ kind: 'punct', text: c }); i++; continue; }
        throw new Error(`unexpected '${c}' in expression: ${expr}`);
    }
    return tokens;
}

function toStr(v: Value): string {
    if (v === null || v === undefined) return '';
    if (typeof v === 'boolean') return v ? 'True' : 'False';
    if (typeof v === 'object') return JSON.stringify(v);
    return String(v);
}

function toBool(v: Value): boolean {
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number') return v !== 0;
    if (typeof v === 'string') return v.length > 0;
    if (Array.isArray(v)) return true;
    return v !== null && v !== undefined;
}

/** Azure Pipelines `eq`: converts the right side to the left side's type; strings ignore case. */
function looseEq(a: Value, b: Value): boolean {
    if (typeof a === 'boolean') return a === (typeof b === 'string' ? /^true$/i.test(b) : toBool(b));
    if (typeof a === 'number') return a === Number(b);
    if (typeof a === 'string' || a === null || a === undefined) return toStr(a).toUpperCase() === toStr(b).toUpperCase();
    return a === b;
}

const FUNCTIONS: Record<string, (args: Value[]) => Value> = {
    eq: ([a, b]) => looseEq(a, b),
    ne: ([a, b]) => !looseEq(a, b),
    and: (args) => args.every(toBool),
    or: (args) => args.some(toBool),
    not: ([a]) => !toBool(a),
    length: ([a]) => (Array.isArray(a) ? a.length : typeof a === 'string' ? a.length : a && typeof a === 'object' ? Object.keys(a).length : 0),
    replace: ([s, from, to]) => toStr(s).split(toStr(from)).join(toStr(to)),
    lower: ([s]) => toStr(s).toLowerCase(),
    upper: ([s]) => toStr(s).toUpperCase(),
    coalesce: (args) => args.find((a) => a !== null && a !== undefined && a !== '') ?? '',
    contains: ([s, sub]) => toStr(s).toUpperCase().includes(toStr(sub).toUpperCase()),
    startsWith: ([s, sub]) => toStr(s).toUpperCase().startsWith(toStr(sub).toUpperCase()),
    endsWith: ([s, sub]) => toStr(s).toUpperCase().endsWith(toStr(sub).toUpperCase()),
    in: ([a, ...rest]) => rest.some((b) => looseEq(a, b)),
    format: ([f, ...args]) => toStr(f).replace(/\{(\d+)\}/g, (_m, n: string) => toStr(args[Number(n)])),
};

function evaluate(expr: string, scope: Scope): Value {
    const tokens = tokenize(expr);
    let pos = 0;
    const peek = () => tokens[pos];
    const expect = (text: string) => {
        const t = tokens[pos++];
        if (!t || t.text !== text) throw new Error(`expected '${text}' in expression: ${expr}`);
    };
    const lookup = (name: string): Value => {
        if (name === 'parameters') return scope.parameters as Value;
        if (Object.prototype.hasOwnProperty.call(scope.locals, name)) return scope.locals[name];
        if (name === 'variables') return {};
        throw new Error(`${rel(scope.file)}: unknown name '${name}' in expression: ${expr}`);
    };
    const member = (base: Value, key: string, isParameters: boolean): Value => {
        if (isParameters && !Object.prototype.hasOwnProperty.call(scope.parameters, key)) {
            throw new Error(`${rel(scope.file)}: parameters.${key} is not declared in the template's parameters`);
        }
        if (base && typeof base === 'object' && !Array.isArray(base)) return (base as Record<string, Value>)[key];
        if (Array.isArray(base) && /^\d+$/.test(key)) return base[Number(key)];
        return undefined;
    };
    const primary = (): Value => {
        const t = tokens[pos++];
        if (!t) throw new Error(`unexpected end of expression: ${expr}`);
        if (t.kind === 'str') return t.text;
        if (t.kind === 'num') return Number(t.text);
        if (t.kind === 'punct' && t.text === '(') { const v = parse(); expect(')'); return v; }
        if (t.kind !== 'id') throw new Error(`unexpected '${t.text}' in expression: ${expr}`);
        if (/^true$/i.test(t.text)) return true;
        if (/^false$/i.test(t.text)) return false;
        if (/^null$/i.test(t.text)) return null;
        if (peek()?.text === '(') {
            const fn = FUNCTIONS[t.text] ?? FUNCTIONS[Object.keys(FUNCTIONS).find((k) => k.toLowerCase() === t.text.toLowerCase()) ?? ''];
            if (!fn) throw new Error(`function ${t.text}() is not supported by the test's evaluator: ${expr}`);
            pos++;
            const args: Value[] = [];
            if (peek()?.text !== ')') {
                for (;;) {
                    args.push(parse());
                    if (peek()?.text === ',') { pos++; continue; }
                    break;
                }
            }
            expect(')');
            return fn(args);
        }
        let value = lookup(t.text);
        let isParameters = t.text === 'parameters';
        for (;;) {
            if (peek()?.text === '.') {
                pos++;
                const key = tokens[pos++];
                if (!key || key.kind !== 'id') throw new Error(`expected a property name in expression: ${expr}`);
                value = member(value, key.text, isParameters);
            } else if (peek()?.text === '[') {
                pos++;
                const key = parse();
                expect(']');
                value = member(value, toStr(key), isParameters);
            } else {
                break;
            }
            isParameters = false;
        }
        return value;
    };
    const parse = (): Value => primary();
    const result = parse();
    if (pos !== tokens.length) throw new Error(`unexpected '${tokens[pos].text}' in expression: ${expr}`);
    return result;
}

const WHOLE_EXPR = /^\s*\$\{\{([\s\S]*)\}\}\s*$/;
const EMBEDDED_EXPR = /\$\{\{([\s\S]*?)\}\}/g;

function substitute(s: string, scope: Scope): Value {
    const whole = WHOLE_EXPR.exec(s);
    if (whole && !whole[1].includes('}}')) {
        return evaluate(whole[1], scope);
    }
    return s.replace(EMBEDDED_EXPR, (_m, e: string) => toStr(evaluate(e, scope)));
}

// ---------------------------------------------------------------------------------------
// Template expansion (compile time), enough for these templates.
// ---------------------------------------------------------------------------------------
interface ParamDecl { name: string; type: string; default?: Yaml; values?: string[] }

function parameterDecls(doc: Yaml, file: string): ParamDecl[] {
    if (!isMap(doc) || doc.parameters === undefined) return [];
    assert.ok(Array.isArray(doc.parameters), `${rel(file)}: parameters must be a list of typed parameters`);
    return (doc.parameters as Yaml[]).map((p) => {
        assert.ok(isMap(p) && typeof p.name === 'string', `${rel(file)}: each parameter needs a name`);
        return {
            name: p.name as string,
            type: typeof p.type === 'string' ? p.type : 'string',
            default: p.default,
            values: Array.isArray(p.values) ? (p.values as string[]) : undefined,
        };
    });
}

/** Converts a YAML (all-string) value to the parameter's declared type, as Azure Pipelines does. */
function coerce(decl: ParamDecl, v: Value, file: string): Value {
    switch (decl.type) {
        case 'boolean':
            if (typeof v === 'boolean') return v;
            assert.ok(typeof v === 'string' && /^(true|false)$/i.test(v), `${rel(file)}: parameter ${decl.name} must be a boolean, got ${JSON.stringify(v)}`);
            return /^true$/i.test(v);
        case 'number':
            return Number(v);
        case 'string':
            assert.ok(typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === undefined,
                `${rel(file)}: parameter ${decl.name} must be a string, got ${JSON.stringify(v)}`);
            if (decl.values && v !== undefined) {
                assert.ok(decl.values.some((x) => x.toLowerCase() === toStr(v).toLowerCase()),
                    `${rel(file)}: parameter ${decl.name}=${toStr(v)} is not one of ${decl.values.join(', ')}`);
            }
            return v === undefined ? '' : toStr(v);
        default:
            return v;
    }
}

function expandTemplate(file: string, given: Record<string, Value>): YMap {
    const doc = loadYaml(file);
    assert.ok(isMap(doc), `${rel(file)}: not a YAML mapping`);
    const decls = parameterDecls(doc, file);
    const parameters: Record<string, Value> = {};
    for (const name of Object.keys(given)) {
        assert.ok(decls.some((d) => d.name === name), `${rel(file)}: is given parameter '${name}', which it does not declare`);
    }
    for (const d of decls) {
        const raw = Object.prototype.hasOwnProperty.call(given, d.name) ? given[d.name] : (d.default as Value);
        assert.ok(raw !== undefined || d.type === 'string', `${rel(file)}: parameter ${d.name} has no default and was not given`);
        parameters[d.name] = coerce(d, raw, file);
    }
    const scope: Scope = { parameters, locals: {}, file };
    const out: YMap = {};
    for (const [key, value] of Object.entries(doc)) {
        if (key !== 'parameters') out[key] = expandNode(value, scope);
    }
    return out;
}

type Directive = { kind: 'if' | 'elseif' | 'else' | 'each' | 'insert'; expr: string };

function directive(key: string): Directive | undefined {
    const m = WHOLE_EXPR.exec(key);
    if (!m) return undefined;
    const body = m[1].trim();
    let d: RegExpExecArray | null;
    if ((d = /^if\s+([\s\S]+)$/.exec(body))) return { kind: 'if', expr: d[1] };
    if ((d = /^elseif\s+([\s\S]+)$/.exec(body))) return { kind: 'elseif', expr: d[1] };
    if (body === 'else') return { kind: 'else', expr: '' };
    if (body === 'insert') return { kind: 'insert', expr: '' };
    if ((d = /^each\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\s+([\s\S]+)$/.exec(body))) return { kind: 'each', expr: `${d[1]}\u0000${d[2]}` };
    return undefined;
}

/** Evaluates if/elseif/else chains; returns the list of [scope, body] to include. */
class Conditional {
    private taken: boolean | undefined;
    bodies(d: Directive, body: Yaml, scope: Scope): [Scope, Yaml][] {
        if (d.kind === 'if') {
            this.taken = toBool(evaluate(d.expr, scope));
            return this.taken ? [[scope, body]] : [];
        }
        if (d.kind === 'elseif' || d.kind === 'else') {
            assert.ok(this.taken !== undefined, `${rel(scope.file)}: \${{ ${d.kind} }} without a preceding \${{ if }}`);
            if (this.taken) return [];
            this.taken = d.kind === 'else' ? true : toBool(evaluate(d.expr, scope));
            if (d.kind === 'else') {
                const result: [Scope, Yaml][] = [[scope, body]];
                this.taken = undefined;
                return result;
            }
            return this.taken ? [[scope, body]] : [];
        }
        this.taken = undefined;
        if (d.kind === 'each') {
            const [name, source] = d.expr.split('\u0000');
            const items = evaluate(source, scope);
            const list: Value[] = Array.isArray(items) ? items : isMap(items) ? Object.entries(items).map(([key, value]) => ({ key, value })) : [];
            return list.map((item) => [{ ...scope, locals: { ...scope.locals, [name]: item } }, body]);
        }
        return [[scope, body]];
    }
}

function expandNode(node: Yaml, scope: Scope): Value {
    if (typeof node === 'string') return substitute(node, scope);
    if (Array.isArray(node)) return expandList(node, scope);
    if (isMap(node)) return expandMap(node, scope);
    return node as Value;
}

function expandList(items: Yaml[], scope: Scope): Value[] {
    const out: Value[] = [];
    const cond = new Conditional();
    for (const item of items) {
        const keys = isMap(item) ? Object.keys(item) : [];
        const d = keys.length === 1 ? directive(keys[0]) : undefined;
        if (d && isMap(item)) {
            for (const [s, body] of cond.bodies(d, item[keys[0]], scope)) {
                const expanded = expandNode(body, s);
                out.push(...(Array.isArray(expanded) ? expanded : [expanded]));
            }
            continue;
        }
        cond.bodies({ kind: 'insert', expr: '' }, null, scope); // resets the if-chain
        if (isMap(item) && typeof item.template === 'string') {
            out.push(...expandReference(item, scope));
            continue;
        }
        out.push(expandNode(item, scope));
    }
    return out;
}

function expandMap(map: YMap, scope: Scope): Record<string, Value> {
    const out: Record<string, Value> = {};
    const cond = new Conditional();
    for (const [key, value] of Object.entries(map)) {
        const d = directive(key);
        if (d) {
            for (const [s, body] of cond.bodies(d, value, scope)) {
                const expanded = d.kind === 'insert' ? substitute(String(body), s) : expandNode(body, s);
                if (expanded === '' || expanded === null || expanded === undefined) continue;
                assert.ok(isMap(expanded), `${rel(scope.file)}: ${key} must produce a mapping here`);
                for (const [k, v] of Object.entries(expanded)) {
                    assert.ok(!(k in out), `${rel(scope.file)}: duplicate key '${k}' after expanding ${key}`);
                    out[k] = v;
                }
            }
            continue;
        }
        cond.bodies({ kind: 'insert', expr: '' }, null, scope);
        const k = toStr(substitute(key, scope));
        assert.ok(!(k in out), `${rel(scope.file)}: duplicate key '${k}'`);
        out[k] = expandNode(value, scope);
    }
    return out;
}

/** `- template: x.yml` inside a steps/jobs/stages list: expand and splice. */
function expandReference(item: YMap, scope: Scope): Value[] {
    const target = path.resolve(path.dirname(scope.file), toStr(substitute(item.template as string, scope)));
    assert.ok(fs.existsSync(target), `${rel(scope.file)}: template ${item.template as string} not found (${rel(target)})`);
    const given = item.parameters === undefined ? {} : expandNode(item.parameters, scope);
    assert.ok(isMap(given), `${rel(scope.file)}: parameters of ${item.template as string} must be a mapping`);
    const expanded = expandTemplate(target, given as Record<string, Value>);
    const lists = ['stages', 'jobs', 'steps'].filter((k) => Array.isArray(expanded[k]));
    assert.strictEqual(lists.length, 1, `${rel(target)}: expected exactly one of stages/jobs/steps`);
    return expanded[lists[0]] as Value[];
}

// ---------------------------------------------------------------------------------------
// Helpers over (expanded) pipelines
// ---------------------------------------------------------------------------------------
type Step = Record<string, Value>;
type Job = Record<string, Value>;

const isTask = (step: Step, ref: string) => typeof step.task === 'string' && step.task.toLowerCase() === ref.toLowerCase();

function stepsOf(job: Job): Step[] {
    if (Array.isArray(job.steps)) return job.steps as Step[];
    // deployment job: strategy.<name>.<hook>.steps
    const found: Step[] = [];
    const walk = (v: Value) => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (isMap(v)) {
            if (Array.isArray(v.steps)) found.push(...(v.steps as Step[]));
            else Object.values(v).forEach((x) => walk(x as Value));
        }
    };
    walk(job.strategy);
    return found;
}

const jobName = (job: Job) => toStr((job.job ?? job.deployment) as Value);

function dependsOnList(v: Value): string[] {
    if (v === undefined || v === null || v === '') return [];
    return Array.isArray(v) ? v.map(toStr) : [toStr(v)];
}

/** Every `task:` step (raw, before expansion) with its input keys, including inputs under ${{ }} directives. */
function rawTaskSteps(node: Yaml, found: { task: string; inputs: string[] }[] = []): { task: string; inputs: string[] }[] {
    if (Array.isArray(node)) node.forEach((n) => rawTaskSteps(n, found));
    else if (isMap(node)) {
        if (typeof node.task === 'string') {
            const inputs: string[] = [];
            const collect = (m: Yaml) => {
                if (!isMap(m)) return;
                for (const [k, v] of Object.entries(m)) {
                    if (directive(k)) collect(v);
                    else inputs.push(k);
                }
            };
            collect(node.inputs);
            found.push({ task: node.task, inputs });
        }
        Object.values(node).forEach((n) => rawTaskSteps(n, found));
    }
    return found;
}

/** `parameters.x` / `parameters['x']` references in a template body (comment lines ignored). */
function parameterReferences(text: string): Set<string> {
    const body = text.split(/\r?\n/).filter((l) => !/^\s*#/.test(l)).join('\n');
    const refs = new Set<string>();
    for (const m of body.matchAll(/\bparameters\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_]*)|\[\s*'([^']+)'\s*\])/g)) {
        refs.add(m[1] ?? m[2]);
    }
    return refs;
}

/**
 * Checks every `outputs['...']` reference in stage conditions: the stage form
 * dependencies.<stage>.outputs['<job>.<step>.<var>'], an existing stage the gated stage
 * depends on, a job of that stage, a step of that job running a task (GrypeScan@1, SyftSbom@1)
 * that declares the output variable.
 */
function gateProblems(stages: Record<string, Value>[], ...tasks: TaskJson[]): { problems: string[]; variables: string[] } {
    const declares = (task: TaskJson, variable: string) => (task.outputVariables ?? []).some((v) => v.name === variable);
    const problems: string[] = [];
    const variables: string[] = [];
    const gated = stages.filter((s) => typeof s.condition === 'string' && /outputs\s*\[/.test(s.condition));
    if (gated.length === 0) problems.push('no stage condition reads the scan output variables');
    for (const s of gated) {
        const name = toStr(s.stage as Value);
        const condition = s.condition as string;
        for (const m of condition.matchAll(/(\w+(?:\.\w+)*)\.outputs\s*\[\s*'([^']+)'\s*\]/g)) {
            const prefix = m[1].split('.');
            const parts = m[2].split('.');
            if (prefix.length !== 2 || prefix[0] !== 'dependencies' || parts.length !== 3) {
                problems.push(`${name}: a stage condition reads dependencies.<stage>.outputs['<job>.<step>.<var>'], not ${m[0]}`);
                continue;
            }
            const [jobRef, stepRef, variable] = parts;
            variables.push(variable);
            const source = stages.find((x) => x.stage === prefix[1]);
            if (!source) { problems.push(`${name}: unknown stage ${prefix[1]}`); continue; }
            if (!dependsOnList(s.dependsOn as Value).includes(prefix[1])) problems.push(`${name}: must dependOn ${prefix[1]} to read its outputs`);
            const job = ((source.jobs as Job[]) ?? []).find((j) => jobName(j) === jobRef);
            if (!job) { problems.push(`${name}: stage ${prefix[1]} has no job ${jobRef} (jobs: ${((source.jobs as Job[]) ?? []).map(jobName).join(', ')})`); continue; }
            // A GrypeScan@1 step, or a script step that re-exports its outputs (security-scan.yml's totals over images).
            const reExports = (st: Step) => typeof st.bash === 'string' && st.bash.includes(variable) && /isOutput=true/.test(st.bash);
            const declaring = tasks.filter((t) => declares(t, variable));
            if (!declaring.length) problems.push(`${name}: output variable '${variable}' is not declared in the outputVariables of ${tasks.map((t) => `tasks/${t.name}/task.json`).join(' or ')}`);
            const sources = stepsOf(job).filter((st) => declaring.some((t) => isTask(st, taskReference(t))) || reExports(st)).map((st) => toStr(st.name as Value));
            if (!sources.includes(stepRef)) problems.push(`${name}: step '${stepRef}' of job ${jobRef} is not a ${declaring.map((t) => `${t.name}@1`).join('/') || 'task'} step declaring '${variable}', nor one that re-exports it (such steps: ${sources.join(', ') || 'none'})`);
        }
    }
    return { problems, variables };
}

/**
 * Runs a template's `bash:` script as the agent would: `$(Name)` macros of known variables
 * replaced first (unknown ones stay), then bash with the given environment.
 */
function runBashStep(script: string, macros: Record<string, string>, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
    const text = script.replace(/\$\(([A-Za-z0-9._]+)\)/g, (m, name: string) => macros[name] ?? m);
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', text], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The bash the sample's pool (ubuntu-latest) has: 4 or later (associative arrays). */
function bashAtLeast4(): boolean {
    const r = spawnSync('bash', ['-c', 'echo ${BASH_VERSINFO[0]}'], { encoding: 'utf8' });
    return r.status === 0 && Number(r.stdout.trim()) >= 4;
}

/** `##vso[task.setvariable variable=X;isOutput=true]V` lines → { X: V }. */
function outputVariablesOf(stdout: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const m of stdout.matchAll(/^##vso\[task\.setvariable variable=([^;\]]+);isOutput=true\](.*)$/gm)) out[m[1]] = m[2];
    return out;
}

// ---------------------------------------------------------------------------------------
describe('templates', function () {
    this.timeout(120000);

    const taskJsonPaths = {
        grype: path.join(repoRoot, 'tasks', 'GrypeScan', 'task.json'),
        syft: path.join(repoRoot, 'tasks', 'SyftSbom', 'task.json'),
    };
    let grype: TaskJson;
    let syft: TaskJson;
    let ourTasks: TaskJson[];
    let validator: PipelineValidator;
    const yamlFiles = listYamlFiles(templatesDir);

    before(function () {
        // Read at run time: the task engineers keep these files up to date.
        grype = readTaskJson(taskJsonPaths.grype);
        syft = readTaskJson(taskJsonPaths.syft);
        ourTasks = [grype, syft];
        if (schemaPath) validator = createValidator(pipelineSchemaWithTasks(schemaPath, ourTasks));
    });

    it('finds the templates and the sample pipeline', function () {
        const names = yamlFiles.map(rel);
        for (const expected of ['templates/grype-scan.yml', 'templates/syft-sbom.yml', 'templates/security-scan.yml', 'templates/examples/azure-pipelines.yml', 'templates/examples/pr-validation.yml']) {
            assert.ok(names.includes(expected), `missing ${expected} (found: ${names.join(', ')})`);
        }
    });

    if (schemaPath) describe('schema validation (azure-pipelines-language-service, shared schema)', function () {
        for (const file of yamlFiles) {
            it(`${rel(file)} has no errors or warnings`, async function () {
                // Pattern warnings on `${{ }}` values (names built from parameters) are a known
                // editor false positive; the expanded names are checked below (job/step names).
                const problems = (await validator.validate(fs.readFileSync(file, 'utf8'), file))
                    .filter((p) => p.severity !== 'hint' && !isTemplateExpressionFalsePositive(p));
                assert.deepStrictEqual(problems, [], `\n${formatProblems(rel(file), problems)}`);
            });
        }

        it('rejects an unknown GrypeScan@1 input (the validator is not vacuous)', async function () {
            const text = 'steps:\n- task: GrypeScan@1\n  inputs:\n    definitelyNotAnInput: x\n';
            const problems = await validator.validate(text);
            assert.ok(problems.some((p) => p.severity !== 'hint' && /definitelyNotAnInput/.test(p.message)), formatProblems('inline', problems) || 'no diagnostics');
        });

        it('rejects an unknown SyftSbom@1 input', async function () {
            const text = 'steps:\n- task: SyftSbom@1\n  inputs:\n    definitelyNotAnInput: x\n';
            const problems = await validator.validate(text);
            assert.ok(problems.some((p) => p.severity !== 'hint' && /definitelyNotAnInput/.test(p.message)), formatProblems('inline', problems) || 'no diagnostics');
        });

        it('rejects an unknown top-level key', async function () {
            const text = 'trigger: none\nnotAPipelineKey: 1\nsteps:\n- script: echo hi\n';
            const problems = await validator.validate(text);
            assert.ok(problems.some((p) => p.severity !== 'hint' && /notAPipelineKey/.test(p.message)), formatProblems('inline', problems) || 'no diagnostics');
        });

        it('rejects an unknown task and accepts the generated task entries with expressions', async function () {
            const bad = await validator.validate('steps:\n- task: GrypeScanz@1\n');
            assert.ok(bad.some((p) => p.severity !== 'hint'), 'an unknown task name must be reported');
            const ok = await validator.validate('steps:\n- task: GrypeScan@1\n  name: scan\n- task: SyftSbom@1\n');
            assert.deepStrictEqual(ok.filter((p) => p.severity !== 'hint'), [], formatProblems('inline', ok));
        });

        it('still reports an invalid literal job or step name (only `${{ }}` values are exempt)', async function () {
            const problems = await validator.validate('jobs:\n- job: bad-name!\n  steps:\n  - task: GrypeScan@1\n    name: bad.step\n');
            const real = problems.filter((p) => p.severity !== 'hint' && !isTemplateExpressionFalsePositive(p));
            assert.ok(real.some((p) => p.text.includes('bad-name!')), formatProblems('inline', problems) || 'no diagnostics');
            assert.ok(real.some((p) => p.text.includes('bad.step')), formatProblems('inline', problems) || 'no diagnostics');
        });

        // The expanded pipelines (templates inlined, parameters substituted) must validate too:
        // this checks the values the templates produce (names, inputs) as Azure Pipelines would.
        const expansions: [string, () => YMap][] = [
            ['examples/azure-pipelines.yml (expanded)', () => expandTemplate(samplePath, {})],
            ['security-scan.yml with images (expanded)', () => expandTemplate(path.join(templatesDir, 'security-scan.yml'),
                { images: { nginx: 'nginx:1.27', web: 'myacr.azurecr.io/team/web-app:$(Build.BuildId)' }, grypeParameters: { grypeVersion: '0.117.0', configFile: '.grype.yaml' } })],
            ['grype-scan.yml with every optional input (expanded)', () => expandTemplate(path.join(templatesDir, 'grype-scan.yml'),
                { dbUpdateUrl: 'https://mirror/db', grypeVersion: '0.117.0', downloadBaseUrl: 'https://mirror', binaryPath: '/opt/grype', configFile: 'g.yaml', containerRegistry: 'acr', additionalArguments: '--by-cve' })],
            ['syft-sbom.yml with every optional input (expanded)', () => expandTemplate(path.join(templatesDir, 'syft-sbom.yml'),
                { dependencyTrackUrl: 'https://dt', dependencyTrackApiKey: '$(DT_API_KEY)', dependencyTrackProject: 'p', dependencyTrackProjectVersion: 'v', syftVersion: '1.42.3', downloadBaseUrl: 'https://mirror', binaryPath: '/opt/syft', configFile: 's.yaml', containerRegistry: 'acr', additionalArguments: '--exclude ./x' })],
        ];
        for (const [label, expand] of expansions) {
            it(`${label} has no errors or warnings`, async function () {
                // Azure Pipelines reads scalars as strings, so 'true' and true are the same to it;
                // the editor, though, wants a plain `true` where the schema says boolean.
                const plain = (v: Value): Value => (Array.isArray(v) ? v.map(plain)
                    : isMap(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x as Value)]))
                        : typeof v === 'string' && /^(true|false)$/i.test(v) ? /^true$/i.test(v) : v);
                const text = yaml.dump(plain(expand() as Value), { lineWidth: -1, noRefs: true });
                const problems = (await validator.validate(text, 'expanded.yml')).filter((p) => p.severity !== 'hint');
                assert.deepStrictEqual(problems, [], `\n${formatProblems(label, problems)}\n--- expanded ---\n${text}`);
            });
        }

        it('checks built-in task inputs too (Cache@2)', async function () {
            const problems = await validator.validate('steps:\n- task: Cache@2\n  inputs:\n    key: k\n    path: p\n    bogusInput: x\n');
            assert.ok(problems.some((p) => /bogusInput/.test(p.message)), formatProblems('inline', problems) || 'no diagnostics');
        });
    });

    describe('task inputs and template parameters', function () {
        for (const file of yamlFiles) {
            it(`${rel(file)}: GrypeScan@1 / SyftSbom@1 inputs exist in task.json`, function () {
                const problems: string[] = [];
                for (const step of rawTaskSteps(loadYaml(file))) {
                    const task = ourTasks.find((t) => taskReference(t).toLowerCase() === step.task.toLowerCase());
                    if (!task) continue;
                    const known = inputNames(task);
                    for (const input of step.inputs) {
                        if (!known.has(input)) {
                            problems.push(`${step.task} input '${input}' is not declared in tasks/${task.name}/task.json (declared: ${[...known].join(', ') || 'none'})`);
                        }
                    }
                }
                assert.deepStrictEqual(problems, [], `${rel(file)}:\n  ${problems.join('\n  ')}`);
            });

            it(`${rel(file)}: every referenced parameter is declared`, function () {
                const text = fs.readFileSync(file, 'utf8');
                const declared = new Set(parameterDecls(loadYaml(file), file).map((d) => d.name));
                const missing = [...parameterReferences(text)].filter((r) => !declared.has(r));
                assert.deepStrictEqual(missing, [], `${rel(file)} references undeclared parameters: ${missing.join(', ')}`);
            });
        }

        it('the parameter check catches an undeclared parameter', function () {
            const refs = parameterReferences("parameters:\n- name: a\nsteps:\n- script: echo ${{ parameters.a }} ${{ parameters['b'] }}\n# ${{ parameters.c }}\n");
            assert.deepStrictEqual([...refs].sort(), ['a', 'b']);
            assert.throws(() => evaluate('parameters.nope', { parameters: { a: 'x' }, locals: {}, file: samplePath }), /parameters\.nope is not declared/);
        });

        const stepTemplates: [string, () => TaskJson, string][] = [
            ['grype-scan.yml', () => grype, 'GrypeScan'],
            ['syft-sbom.yml', () => syft, 'SyftSbom'],
        ];
        for (const [fileName, getTask, taskName] of stepTemplates) {
            const file = path.join(templatesDir, fileName);

            it(`${fileName} mirrors every ${taskName} input as a typed parameter with the task's default`, function () {
                const task = getTask();
                const decls = parameterDecls(loadYaml(file), file);
                const problems: string[] = [];
                assert.ok((task.inputs ?? []).length > 0, `tasks/${taskName}/task.json declares no inputs yet`);
                for (const input of task.inputs ?? []) {
                    const decl = decls.find((d) => d.name === input.name);
                    if (!decl) { problems.push(`no parameter for input '${input.name}'`); continue; }
                    const expectedType = input.type === 'boolean' ? 'boolean' : 'string';
                    if (decl.type !== expectedType) problems.push(`parameter ${decl.name}: type ${decl.type}, task input is ${input.type}`);
                    const def = decl.default === undefined ? '' : toStr(decl.default as Value);
                    // '' means "not passed: the task's own default applies" (the template adds the input only when set).
                    if (def !== '' && input.defaultValue !== undefined && def.toLowerCase() !== String(input.defaultValue).toLowerCase()) {
                        problems.push(`parameter ${decl.name}: default '${def}', task default '${String(input.defaultValue)}'`);
                    }
                    if (decl.values && input.options) {
                        const opts = Object.keys(input.options).map((o) => o.toLowerCase()).sort();
                        const vals = decl.values.map((v) => v.toLowerCase()).sort();
                        if (JSON.stringify(opts) !== JSON.stringify(vals)) problems.push(`parameter ${decl.name}: values [${vals}] but task options [${opts}]`);
                    }
                }
                assert.deepStrictEqual(problems, [], `${fileName}:\n  ${problems.join('\n  ')}`);
            });

            it(`${fileName} expands with its defaults into a named ${taskName}@1 step`, function () {
                const steps = expandTemplate(file, {}).steps as Step[];
                const ref = taskReference(getTask());
                const taskSteps = steps.filter((s) => isTask(s, ref));
                assert.strictEqual(taskSteps.length, 1, `${fileName}: expected one ${ref} step`);
                assert.match(toStr(taskSteps[0].name), /^[A-Za-z_][A-Za-z0-9_]*$/, `${fileName}: the ${ref} step needs a valid name: so its output variables are addressable`);
                const inputs = taskSteps[0].inputs as Record<string, Value>;
                for (const [k, v] of Object.entries(inputs)) {
                    assert.ok(!/\$\{\{/.test(toStr(v)), `${fileName}: input ${k} still holds an unexpanded expression: ${toStr(v)}`);
                }
            });
        }

        it('grype-scan.yml caches the DB path the task uses, with a key that changes daily', function () {
            const file = path.join(templatesDir, 'grype-scan.yml');
            for (const dbDir of [undefined, '/custom/db']) {
                const steps = expandTemplate(file, dbDir ? { dbCacheDirectory: dbDir } : {}).steps as Step[];
                const cacheIndex = steps.findIndex((s) => isTask(s, 'Cache@2'));
                const scanIndex = steps.findIndex((s) => isTask(s, taskReference(grype)));
                assert.ok(cacheIndex >= 0 && cacheIndex < scanIndex, 'Cache@2 must run before GrypeScan@1');
                const cacheInputs = steps[cacheIndex].inputs as Record<string, Value>;
                const scanInputs = steps[scanIndex].inputs as Record<string, Value>;
                assert.strictEqual(cacheInputs.path, scanInputs.dbCacheDirectory, 'Cache@2 path must be the task\'s dbCacheDirectory');
                if (dbDir) assert.strictEqual(scanInputs.dbCacheDirectory, dbDir);
                else assert.strictEqual(scanInputs.dbCacheDirectory, '$(Agent.ToolsDirectory)/grype/db');
                // The key holds a variable that an earlier script step sets to the current date.
                const vars = [...toStr(cacheInputs.key).matchAll(/\$\(([A-Za-z0-9_.]+)\)/g)].map((m) => m[1]);
                const dateSetters = steps.slice(0, cacheIndex).filter((s) => {
                    const script = toStr((s.bash ?? s.script ?? s.pwsh ?? s.powershell) as Value);
                    return /date|Get-Date/i.test(script) && vars.some((v) => script.includes(`task.setvariable variable=${v}`));
                });
                assert.strictEqual(dateSetters.length, 1, `the cache key ${toStr(cacheInputs.key)} must include a date variable set by an earlier script step`);
            }
            const fresh = expandTemplate(file, { cacheDb: 'false' }).steps as Step[];
            assert.ok(!fresh.some((s) => isTask(s, 'Cache@2')), 'cacheDb: false must not restore a cached DB');
        });
    });

    describe('security-scan.yml (job template)', function () {
        const file = path.join(templatesDir, 'security-scan.yml');

        function scanJobs(images?: Record<string, string>): Job[] {
            return expandTemplate(file, images ? { images } : {}).jobs as Job[];
        }

        const scanTasks = () => [taskReference(grype), taskReference(syft)];
        const isScanJob = (j: Job) => stepsOf(j).some((s) => scanTasks().some((t) => isTask(s, t)));

        function assertParallelScanJobs(jobs: Job[], expectedCount: number) {
            const names = jobs.map(jobName);
            assert.strictEqual(new Set(names).size, names.length, `duplicate job names: ${names.join(', ')}`);
            for (const job of jobs) assert.match(jobName(job), JOB_NAME, `invalid job name '${jobName(job)}'`);
            const scanning = jobs.filter(isScanJob);
            assert.strictEqual(scanning.length, expectedCount, `scan jobs: ${scanning.map(jobName).join(', ')}`);
            for (const job of scanning) {
                const deps = dependsOnList(job.dependsOn as Value).filter((d) => names.includes(d));
                assert.deepStrictEqual(deps, [], `${jobName(job)} depends on ${deps.join(', ')}: the scan jobs must run in parallel`);
            }
            const grypeJobs = scanning.filter((j) => stepsOf(j).some((s) => isTask(s, taskReference(grype))));
            const syftJobs = scanning.filter((j) => stepsOf(j).some((s) => isTask(s, taskReference(syft))));
            assert.strictEqual(grypeJobs.length, expectedCount / 2, 'one Grype job per target');
            assert.strictEqual(syftJobs.length, expectedCount / 2, 'one Syft job per target');
            assert.ok(!grypeJobs.some((j) => syftJobs.includes(j)), 'Grype and Syft run in separate jobs');
        }

        const images = {
            web: 'myacr.azurecr.io/team/web-app:$(Build.BuildId)',
            api: 'registry:ghcr.io/org/api@sha256:0123abcd',
            legacy: 'docker-archive:/tmp/my image.tar',
        };
        const totalsJob = (jobs: Job[]) => jobs.find((j) => jobName(j) === 'Grype' && !isScanJob(j));

        it('without images: one Grype and one Syft job, in parallel', function () {
            const jobs = scanJobs();
            assertParallelScanJobs(jobs, 2);
            assert.strictEqual(jobs.length, 2, jobs.map(jobName).join(', '));
        });

        it('with images: a Grype_<name> and a Syft_<name> job per image, in parallel, each scanning its image', function () {
            const jobs = scanJobs(images);
            assertParallelScanJobs(jobs, Object.keys(images).length * 2);
            for (const [name, image] of Object.entries(images)) {
                for (const [prefix, ref] of [['Grype', taskReference(grype)], ['Syft', taskReference(syft)]]) {
                    const job = jobs.find((j) => jobName(j) === `${prefix}_${name}`);
                    assert.ok(job, `job ${prefix}_${name} (jobs: ${jobs.map(jobName).join(', ')})`);
                    const step = stepsOf(job).find((s) => isTask(s, ref));
                    assert.strictEqual((step?.inputs as Record<string, Value>)?.target, image);
                }
            }
        });

        it('with images: a Grype job after all Grype_<name> jobs re-exports the counts of every image', function () {
            const jobs = scanJobs(images);
            const totals = totalsJob(jobs);
            assert.ok(totals, `a Grype totals job (jobs: ${jobs.map(jobName).join(', ')})`);
            assert.deepStrictEqual(dependsOnList(totals.dependsOn as Value).sort(), Object.keys(images).map((n) => `Grype_${n}`).sort());
            assert.match(toStr(totals.condition as Value), /succeededOrFailed\(\)/, 'counts are set before a failOnSeverity failure: add them up then too');
            const variables = totals.variables as Record<string, Value>;
            for (const name of Object.keys(images)) {
                const expr = toStr(variables[`grypeCounts_${name}`]);
                assert.match(expr, /^\$\[ [^\n]* \]$/, 'one runtime expression on one line (the YAML folds it)');
                const reads = [...expr.matchAll(/dependencies\.(\w+)\.outputs\['(\w+)\.(\w+)'\]/g)].map((m) => `${m[1]}.${m[2]}.${m[3]}`);
                const counts = ['criticalCount', 'highCount', 'mediumCount', 'lowCount', 'negligibleCount', 'unknownCount', 'totalCount', 'fixableCount', 'knownExploitedCount', 'exceptedCount', 'newCount', 'fixedCount'];
                assert.deepStrictEqual(reads, counts.map((c) => `Grype_${name}.grypeScan.${c}`), `grypeCounts_${name}: ${expr}`);
                for (const c of counts) assert.ok((grype.outputVariables ?? []).some((v) => v.name === c), `${c} is a GrypeScan output`);
            }
            const step = stepsOf(totals).find((s) => toStr(s.name as Value) === 'grypeScan');
            assert.ok(step && typeof step.bash === 'string', 'a bash step named grypeScan, like the single-scan step');
        });

        describe('the totals script', function () {
            let script: string;
            before(function () {
                if (!bashAtLeast4()) this.skip();
                const totals = totalsJob(scanJobs(images));
                script = toStr(stepsOf(totals!).find((s) => toStr(s.name as Value) === 'grypeScan')!.bash as Value);
            });

            it('adds up each count (known exploited, excepted, new and fixed too) and takes the highest severity found', function () {
                // as the agent passes job variables grypeCounts_<name>: upper case
                const r = runBashStep(script, {}, { GRYPECOUNTS_WEB: '0 2 5 1 0 0 8 3 1 2 n3 f1', GRYPECOUNTS_API: '0 1 0 0 4 2 7 1 2 0 n0 f4' });
                assert.strictEqual(r.status, 0, r.stdout + r.stderr);
                assert.deepStrictEqual(outputVariablesOf(r.stdout), {
                    criticalCount: '0', highCount: '3', mediumCount: '5', lowCount: '1', negligibleCount: '4', unknownCount: '2',
                    totalCount: '15', fixableCount: '4', knownExploitedCount: '3', exceptedCount: '2', newCount: '3', fixedCount: '5', maxSeverity: 'High',
                });
            });

            it('newCount and fixedCount stay empty unless every image was compared with a baseline', function () {
                const one = outputVariablesOf(runBashStep(script, {}, { GRYPECOUNTS_WEB: '0 2 5 1 0 0 8 3 0 0 n3 f1', GRYPECOUNTS_API: '0 1 0 0 4 2 7 1 0 0 n f' }).stdout);
                assert.deepStrictEqual([one.newCount, one.fixedCount, one.totalCount], ['', '', '15']);
                const none = outputVariablesOf(runBashStep(script, {}, { GRYPECOUNTS_WEB: '0 0 0 0 0 0 0 0 0 0 n f' }).stdout);
                assert.deepStrictEqual([none.newCount, none.fixedCount, none.maxSeverity], ['', '', 'None']);
            });

            it('reports None when no image has findings, and Unknown when only unknown ones', function () {
                assert.strictEqual(outputVariablesOf(runBashStep(script, {}, { GRYPECOUNTS_WEB: '0 0 0 0 0 0 0 0 0 0 n f' }).stdout).maxSeverity, 'None');
                assert.strictEqual(outputVariablesOf(runBashStep(script, {}, { GRYPECOUNTS_WEB: '0 0 0 0 0 3 3 0 0 0 n f' }).stdout).maxSeverity, 'Unknown');
            });

            it('fails, naming the image and setting nothing, when an image has no counts', function () {
                // a scan job that stopped before its Grype step set them: the runtime expression gives blanks
                const r = runBashStep(script, {}, { GRYPECOUNTS_WEB: '1 0 0 0 0 0 1 1 0 0 n f', GRYPECOUNTS_API: '          n f' });
                assert.notStrictEqual(r.status, 0);
                assert.match(r.stdout, /##vso\[task\.logissue type=error\]No Grype counts from the scan job of: API\b/);
                assert.deepStrictEqual(outputVariablesOf(r.stdout), {}, 'no partial totals a gate could pass on');
                assert.notStrictEqual(runBashStep(script, {}, {}).status, 0, 'no image counts at all');
            });
        });

        it('passes the Dependency-Track connection and gate to each Syft step; with images each image is its own project', function () {
            const dtParams = { dependencyTrackServiceConnection: 'dependency-track', dependencyTrackFailOnSeverity: 'high', dependencyTrackFailOnPolicyViolation: 'fail' };
            const syftInputs = (jobs: Job[]) => jobs.flatMap((j) => stepsOf(j)).filter((s) => isTask(s, taskReference(syft))).map((s) => s.inputs as Record<string, Value>);
            const [single] = syftInputs(expandTemplate(file, dtParams).jobs as Job[]);
            assert.deepStrictEqual(
                [single.dependencyTrackServiceConnection, single.dependencyTrackFailOnSeverity, single.dependencyTrackFailOnPolicyViolation, single.dependencyTrackProject],
                ['dependency-track', 'high', 'fail', undefined],
                'one target: the task default project',
            );
            const perImage = syftInputs(expandTemplate(file, { ...dtParams, images: { web: 'myacr.azurecr.io/web:1', api: 'nginx:1.27' } }).jobs as Job[]);
            assert.deepStrictEqual(perImage.map((i) => i.dependencyTrackProject), ['$(Build.Repository.Name)-web', '$(Build.Repository.Name)-api']);
            const named = syftInputs(expandTemplate(file, { ...dtParams, dependencyTrackProject: 'shop', images: { web: 'w:1' } }).jobs as Job[]);
            assert.deepStrictEqual(named.map((i) => [i.dependencyTrackProject, i.dependencyTrackServiceConnection]), [['shop-web', 'dependency-track']]);
        });

        it('passes extra parameters through to the step templates', function () {
            const jobs = expandTemplate(file, { grypeParameters: { grypeVersion: '0.117.0' }, syftParameters: { syftVersion: '1.42.3' } }).jobs as Job[];
            const inputs = (ref: string) => jobs.flatMap((j) => stepsOf(j)).filter((s) => isTask(s, ref)).map((s) => s.inputs as Record<string, Value>);
            assert.strictEqual(inputs(taskReference(grype))[0].grypeVersion, '0.117.0');
            assert.strictEqual(inputs(taskReference(syft))[0].syftVersion, '1.42.3');
        });
    });

    describe('sample pipeline (templates/examples/azure-pipelines.yml)', function () {
        let raw: YMap;
        let expanded: YMap;
        before(function () {
            const doc = loadYaml(samplePath);
            assert.ok(isMap(doc));
            raw = doc;
            expanded = expandTemplate(samplePath, {});
        });

        const stages = () => expanded.stages as Record<string, Value>[];
        const stage = (name: string) => stages().find((s) => s.stage === name);

        it('triggers on pushes to master, not on pull requests', function () {
            const trigger = raw.trigger;
            const branches = Array.isArray(trigger) ? trigger : isMap(trigger) && isMap(trigger.branches) ? trigger.branches.include : undefined;
            assert.ok(Array.isArray(branches) && branches.includes('master'), `trigger must include master: ${JSON.stringify(trigger)}`);
            assert.strictEqual(raw.pr, 'none');
        });

        it('has a nightly schedule on master with always: true', function () {
            assert.ok(Array.isArray(raw.schedules), 'schedules missing');
            const nightly = (raw.schedules as YMap[]).filter((s) => {
                const inc = isMap(s.branches) ? s.branches.include : s.branches;
                return typeof s.cron === 'string' && /^true$/i.test(toStr(s.always as Value)) && Array.isArray(inc) && inc.includes('master');
            });
            assert.strictEqual(nightly.length, 1, JSON.stringify(raw.schedules));
            const fields = (nightly[0].cron as string).trim().split(/\s+/);
            assert.strictEqual(fields.length, 5, 'cron has 5 fields');
            assert.ok(/^\d+$/.test(fields[0]) && /^\d+$/.test(fields[1]) && fields.slice(2).every((f) => f === '*'), `once a day: ${nightly[0].cron as string}`);
        });

        it('runs the Grype and Syft scan jobs in parallel', function () {
            const scanStages = stages().filter((s) => (s.jobs as Job[]).some((j) => stepsOf(j).some((st) => isTask(st, taskReference(syft)))));
            assert.strictEqual(scanStages.length, 1, 'one stage with the scan jobs');
            const jobs = scanStages[0].jobs as Job[];
            const names = jobs.map(jobName);
            const scanJobs = jobs.filter((j) => stepsOf(j).some((s) => isTask(s, taskReference(grype)) || isTask(s, taskReference(syft))));
            assert.strictEqual(scanJobs.length, 2, `scan jobs: ${names.join(', ')}`);
            for (const job of scanJobs) {
                assert.match(jobName(job), JOB_NAME);
                const deps = dependsOnList(job.dependsOn as Value).filter((d) => names.includes(d));
                assert.deepStrictEqual(deps, [], `${jobName(job)} must not depend on ${deps.join(', ')}`);
            }
        });

        it('gates the deployment stage on criticalCount (GrypeScan@1) and dtCriticalCount (SyftSbom@1, Dependency-Track)', function () {
            const result = gateProblems(stages(), grype, syft);
            assert.deepStrictEqual(result.problems, [], `\n  ${result.problems.join('\n  ')}`);
            assert.ok(result.variables.includes('criticalCount'), `the gate must use criticalCount (uses: ${result.variables.join(', ') || 'nothing'})`);
            assert.ok(result.variables.includes('dtCriticalCount'), `the gate must use dtCriticalCount (uses: ${result.variables.join(', ') || 'nothing'})`);
        });

        it('the gate check rejects an undeclared variable, a non-Grype step and a missing job', function () {
            const withCondition = (condition: string) => stages().map((s) => (s.stage === 'Deploy' ? { ...s, condition } : s));
            const cases: [string, RegExp][] = [
                ["eq(dependencies.Scan.outputs['Grype.grypeScan.criticalCountTypo'], '0')", /not declared/],
                ["eq(dependencies.Scan.outputs['Syft.syftSbom.criticalCount'], '0')", /step 'syftSbom' of job Syft is not a GrypeScan@1 step declaring 'criticalCount'/],
                ["eq(dependencies.Scan.outputs['Grype.grypeScan.dtCriticalCount'], '0')", /step 'grypeScan' of job Grype is not a SyftSbom@1 step declaring 'dtCriticalCount'/],
                ["eq(dependencies.Scan.outputs['NoSuchJob.grypeScan.criticalCount'], '0')", /has no job/],
                ["eq(stageDependencies.Scan.Grype.outputs['grypeScan.criticalCount'], '0')", /dependencies\.<stage>/],
            ];
            for (const [condition, expected] of cases) {
                const result = gateProblems(withCondition(condition), grype, syft);
                assert.ok(result.problems.some((p) => expected.test(p)), `${condition}: expected ${expected}, got ${JSON.stringify(result.problems)}`);
            }
        });

        it('nightly: downloads the last published SBOM of this pipeline on master and rescans it with a fresh DB', function () {
            const nightlyStages = stages().filter((s) => /Schedule/.test(toStr(s.condition as Value)) && !/\bne\(/.test(toStr(s.condition as Value)));
            assert.strictEqual(nightlyStages.length, 1, 'one stage that runs only for scheduled builds');
            const jobs = nightlyStages[0].jobs as Job[];
            const steps = jobs.flatMap(stepsOf);
            const download = steps.find((s) => isTask(s, 'DownloadPipelineArtifact@2'));
            assert.ok(download, 'DownloadPipelineArtifact@2 step');
            const inputs = download.inputs as Record<string, Value>;
            assert.strictEqual(inputs.buildType, 'specific');
            assert.strictEqual(inputs.definition, '$(System.DefinitionId)', 'this pipeline');
            assert.strictEqual(inputs.buildVersionToDownload, 'latestFromBranch');
            assert.match(toStr(inputs.branchName), /^(refs\/heads\/)?master$/);
            // The artifact is the one the Syft job publishes.
            assert.strictEqual(inputs.artifactName, toStr(parameterDecls(loadYaml(path.join(templatesDir, 'syft-sbom.yml')), '').find((d) => d.name === 'artifactName')?.default as Value));
            const rescans = steps.filter((s) => isTask(s, taskReference(grype)));
            assert.strictEqual(rescans.length, 1);
            assert.match(toStr((rescans[0].inputs as Record<string, Value>).target), /^sbom:/);
            assert.ok(!steps.some((s) => isTask(s, 'Cache@2')), 'no Cache@2 restore: the rescan uses a fresh DB');
            const dbDir = toStr((rescans[0].inputs as Record<string, Value>).dbCacheDirectory);
            const defaultDbDir = (grype.inputs ?? []).find((i) => i.name === 'dbCacheDirectory')?.defaultValue;
            assert.ok(dbDir !== '' && dbDir !== String(defaultDbDir), `the rescan must not reuse the agent's cached DB directory (${dbDir})`);
            assert.ok(steps.indexOf(download) < steps.indexOf(rescans[0]), 'download before rescan');
        });

        it('nightly: one matrix leg per SBOM listed by the locate step, each rescanning its file', function () {
            const nightly = stage('NightlyRescan')!;
            const jobs = nightly.jobs as Job[];
            const locate = jobs.find((j) => stepsOf(j).some((s) => toStr(s.name as Value) === 'locate'));
            const rescan = jobs.find((j) => stepsOf(j).some((s) => isTask(s, taskReference(grype))));
            assert.ok(locate && rescan, `jobs: ${jobs.map(jobName).join(', ')}`);
            assert.deepStrictEqual(dependsOnList(rescan.dependsOn as Value), [jobName(locate)]);
            const matrix = toStr((rescan.strategy as Record<string, Value>)?.matrix);
            assert.strictEqual(matrix, `$[ dependencies.${jobName(locate)}.outputs['locate.legs'] ]`);
            const grypeStep = stepsOf(rescan).find((s) => isTask(s, taskReference(grype)))!;
            // The locate job keeps what it found as an artifact of this run; each leg downloads its file from there
            // (pattern from the artifact root, whatever folder the file is in) and scans it.
            const kept = stepsOf(locate).find((s) => typeof s.publish === 'string');
            assert.ok(kept, 'the locate job publishes the SBOMs it listed');
            const download = stepsOf(rescan).find((s) => s.download === 'current' && s.artifact === kept.artifact);
            assert.ok(download, `each leg downloads artifact ${toStr(kept.artifact as Value)} of the current run`);
            assert.strictEqual(download.patterns, '**/$(sbomFile)');
            assert.ok(stepsOf(rescan).indexOf(download) < stepsOf(rescan).indexOf(grypeStep), 'each leg downloads its SBOM first');
            assert.strictEqual(toStr((grypeStep.inputs as Record<string, Value>).target), `sbom:$(Pipeline.Workspace)/${toStr(kept.artifact as Value)}/$(sbomFile)`);
            assert.strictEqual(toStr(kept.publish as Value), toStr((stepsOf(locate).find((s) => isTask(s, 'DownloadPipelineArtifact@2'))!.inputs as Record<string, Value>).targetPath));
        });

        describe('the nightly locate script', function () {
            let script: string;
            let workspace: string;
            before(function () {
                if (!bashAtLeast4()) this.skip();
                const locate = (stage('NightlyRescan')!.jobs as Job[]).flatMap(stepsOf).find((s) => toStr(s.name as Value) === 'locate')!;
                script = toStr(locate.bash as Value);
            });
            beforeEach(function () {
                workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'nightly-'));
                fs.mkdirSync(path.join(workspace, 'last-sbom', 'sub'), { recursive: true });
            });
            afterEach(function () {
                fs.rmSync(workspace, { recursive: true, force: true });
            });
            const write = (rel: string) => fs.writeFileSync(path.join(workspace, 'last-sbom', rel), '{}');
            const legsOf = (stdout: string) => JSON.parse(outputVariablesOf(stdout).legs) as Record<string, { sbomFile: string }>;

            it('lists one SBOM per target (CycloneDX, else SPDX, else Syft JSON) as matrix legs', function () {
                for (const f of ['web-job-1a2b3c4d.cdx.json', 'web-job-1a2b3c4d.spdx.json', 'api-job-5e6f7a8b.spdx.json', 'sub/dir-s-job-0c0c0c0c.syft.json',
                    'web-job-1a2b3c4d.github.json', 'web-job-1a2b3c4d.sbom-summary.md']) write(f);
                const r = runBashStep(script, { 'Pipeline.Workspace': workspace }, {});
                assert.strictEqual(r.status, 0, r.stdout + r.stderr);
                const legs = legsOf(r.stdout);
                assert.deepStrictEqual(Object.values(legs).map((l) => l.sbomFile).sort(),
                    ['api-job-5e6f7a8b.spdx.json', 'sub/dir-s-job-0c0c0c0c.syft.json', 'web-job-1a2b3c4d.cdx.json']);
                for (const key of Object.keys(legs)) assert.match(key, /^[A-Za-z0-9_]+$/, 'a valid matrix leg name');
            });

            it('escapes what JSON needs escaping in a file name', function () {
                write('odd "name" \\ x.cdx.json');
                const r = runBashStep(script, { 'Pipeline.Workspace': workspace }, {});
                assert.strictEqual(r.status, 0, r.stdout + r.stderr);
                assert.deepStrictEqual(Object.values(legsOf(r.stdout)).map((l) => l.sbomFile), ['odd "name" \\ x.cdx.json']);
            });

            it('fails with an error when the artifact holds no JSON SBOM', function () {
                write('report.txt');
                const r = runBashStep(script, { 'Pipeline.Workspace': workspace }, {});
                assert.notStrictEqual(r.status, 0);
                assert.match(r.stdout, /##vso\[task\.logissue type=error\]No CycloneDX, SPDX or Syft JSON SBOM found/);
            });
        });

        it('with images, the gate reads the Grype totals job: same expression as without images', function () {
            const withImages = stages().map((s) => (s.stage === 'Scan'
                ? { ...s, jobs: expandTemplate(path.join(templatesDir, 'security-scan.yml'), { images: { web: 'myacr.azurecr.io/web:$(Build.BuildId)', api: 'nginx:1.27' } }).jobs as Value }
                : s));
            // Each image is its own Dependency-Track project (job Syft_<name>): the dt* gate names that job instead.
            const result = gateProblems(withImages, grype, syft);
            const grypeProblems = result.problems.filter((p) => !/dtCriticalCount|no job Syft /.test(p));
            assert.deepStrictEqual(grypeProblems, [], `\n  ${grypeProblems.join('\n  ')}`);
            const perImage = gateProblems(withImages.map((s) => (s.stage === 'Deploy' ? { ...s, condition: "eq(dependencies.Scan.outputs['Syft_web.syftSbom.dtCriticalCount'], '0')" } : s)), grype, syft);
            assert.deepStrictEqual(perImage.problems, []);
        });

        it('the scheduled run does not deploy and CI runs do not run the nightly stage', function () {
            for (const s of stages()) {
                const c = toStr(s.condition as Value);
                assert.ok(/Build\.Reason/.test(c), `stage ${toStr(s.stage as Value)} must check Build.Reason: ${c || '(none)'}`);
            }
        });
    });

    describe('baseline: compare with the last successful master run, gate only on new findings', function () {
        const securityScan = path.join(templatesDir, 'security-scan.yml');
        const prSample = path.join(templatesDir, 'examples', 'pr-validation.yml');
        const grypeArtifact = () => toStr(parameterDecls(loadYaml(path.join(templatesDir, 'grype-scan.yml')), '').find((d) => d.name === 'artifactName')?.default as Value);

        /** Each Grype job's baseline download step, which must come before its scan and feed it. */
        function assertBaselineGate(jobs: Job[], branch: string) {
            const grypeJobs = jobs.filter((j) => stepsOf(j).some((s) => isTask(s, taskReference(grype))));
            assert.ok(grypeJobs.length > 0);
            for (const job of grypeJobs) {
                const steps = stepsOf(job);
                const download = steps.find((s) => isTask(s, 'DownloadPipelineArtifact@2'));
                assert.ok(download, `${jobName(job)}: DownloadPipelineArtifact@2 step`);
                const scan = steps.find((s) => isTask(s, taskReference(grype))) as Step;
                assert.ok(steps.indexOf(download) < steps.indexOf(scan), 'download before the scan');
                const inputs = download.inputs as Record<string, Value>;
                assert.strictEqual(inputs.source, 'specific');
                assert.strictEqual(inputs.project, '$(System.TeamProjectId)');
                assert.strictEqual(inputs.pipeline, '$(System.DefinitionId)', 'this pipeline by default');
                assert.strictEqual(inputs.runVersion, 'latestFromBranch');
                assert.strictEqual(inputs.runBranch, branch);
                assert.strictEqual(inputs.artifact, grypeArtifact(), 'the artifact the Grype step publishes');
                assert.strictEqual(inputs.patterns, '**/*.grype.json', 'only the Grype JSON reports');
                assert.match(toStr(download.continueOnError as Value), /^true$/i, 'no such run yet: go on without a baseline');
                const scanInputs = scan.inputs as Record<string, Value>;
                assert.strictEqual(scanInputs.baselineReport, inputs.path, 'the scan reads what was downloaded');
                assert.strictEqual(toStr(scanInputs.failOnNewOnly), 'True', 'gate only on new findings');
            }
            const paths = grypeJobs.map((j) => (stepsOf(j).find((s) => isTask(s, 'DownloadPipelineArtifact@2'))?.inputs as Record<string, Value>).path);
            assert.ok(paths.every((p) => /^\$\(Pipeline\.Workspace\)\//.test(toStr(p))), paths.join(', '));
        }

        it('security-scan.yml baselineBranch, without images', function () {
            assertBaselineGate(expandTemplate(securityScan, { baselineBranch: 'refs/heads/master' }).jobs as Job[], 'refs/heads/master');
        });
        it('security-scan.yml baselineBranch, with images: every image job has its baseline', function () {
            assertBaselineGate(expandTemplate(securityScan, { baselineBranch: 'refs/heads/master', images: { web: 'myacr.azurecr.io/web:$(Build.BuildId)', api: 'nginx:1.27' } }).jobs as Job[], 'refs/heads/master');
        });
        it('without baselineBranch: no download, and every finding counts', function () {
            const steps = (expandTemplate(securityScan, {}).jobs as Job[]).flatMap(stepsOf);
            assert.ok(!steps.some((s) => isTask(s, 'DownloadPipelineArtifact@2')));
            const scan = steps.find((s) => isTask(s, taskReference(grype))) as Step;
            assert.strictEqual(toStr((scan.inputs as Record<string, Value>).failOnNewOnly), 'False');
            assert.ok(!('baselineReport' in (scan.inputs as Record<string, Value>)));
        });
        it('the check catches a scan that does not read the download', function () {
            const jobs = expandTemplate(securityScan, { baselineBranch: 'refs/heads/master', grypeParameters: { baselineReport: '/elsewhere.json' } }).jobs as Job[];
            assert.throws(() => assertBaselineGate(jobs, 'refs/heads/master'), /the scan reads what was downloaded/);
        });
        it('the PR-validation sample: runs for pull requests into master and on master, gates on new High findings', function () {
            const raw = loadYaml(prSample) as YMap;
            assert.deepStrictEqual((raw.pr as YMap).branches, { include: ['master'] });
            assert.deepStrictEqual((raw.trigger as YMap).branches, { include: ['master'] }, 'master runs are the next baseline');
            const jobs = expandTemplate(prSample, {}).jobs as Job[];
            assertBaselineGate(jobs, 'refs/heads/master');
            const scan = jobs.flatMap(stepsOf).find((s) => isTask(s, taskReference(grype))) as Step;
            assert.strictEqual((scan.inputs as Record<string, Value>).failOnSeverity, 'high');
        });
    });
});

describe('templates: parameters and file names never reach the agent as logging commands', function () {
    const SCRIPT_KEYS = ['bash', 'script', 'pwsh', 'powershell'];
    /** Lines the agent would read as a command (it finds `##vso[` anywhere in a line). */
    const commandLines = (stdout: string) => stdout.split('\n').filter((l) => l.includes('##vso['));

    it('no script step has a ${{ }} expression in its text: values come in through env:', function () {
        const problems: string[] = [];
        const walk = (node: Yaml, file: string): void => {
            if (Array.isArray(node)) node.forEach((n) => walk(n, file));
            else if (isMap(node)) {
                for (const [key, value] of Object.entries(node)) {
                    if (SCRIPT_KEYS.includes(key) && typeof value === 'string' && value.includes('${{')) problems.push(`${rel(file)}: ${key}: ${value.split('\n')[0]}`);
                    walk(value as Yaml, file);
                }
            }
        };
        for (const file of listYamlFiles(templatesDir)) walk(loadYaml(file), file);
        assert.deepStrictEqual(problems, []);
    });

    it('a hostile sbomBuildTag adds one build tag, on one line, with its ##vso[ neutralised', function () {
        const tag = 'sbom"; echo "##vso[task.complete result=Failed]\n##vso[task.setvariable variable=X]y';
        for (const images of [undefined, { web: 'nginx:1.27' }]) {
            const jobs = expandTemplate(path.join(templatesDir, 'security-scan.yml'), { sbomBuildTag: tag, ...(images ? { images } : {}) }).jobs as Job[];
            const step = jobs.flatMap(stepsOf).find((s) => typeof s.bash === 'string' && s.bash.includes('build.addbuildtag'));
            assert.ok(step, 'the tag step');
            const env = Object.fromEntries(Object.entries((step.env ?? {}) as Record<string, Value>).map(([k, v]) => [k, toStr(v)]));
            const r = runBashStep(toStr(step.bash as Value), {}, env);
            assert.strictEqual(r.status, 0, r.stdout + r.stderr);
            assert.deepStrictEqual(commandLines(r.stdout), ['##vso[build.addbuildtag]sbom"; echo "##_vso[task.complete result=Failed] ##_vso[task.setvariable variable=X]y']);
        }
    });

    it('the nightly locate script: file names with ##vso[ or a line break set nothing but the legs', function () {
        if (!bashAtLeast4()) this.skip();
        const expanded = expandTemplate(samplePath, {});
        const locate = ((expanded.stages as Record<string, Value>[]).find((st) => toStr(st.stage as Value) === 'NightlyRescan')!.jobs as Job[])
            .flatMap(stepsOf).find((s) => toStr(s.name as Value) === 'locate')!;
        const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'nightly-hostile-'));
        try {
            const names = ['a##vso[task.complete result=Failed]b.cdx.json', 'line\n##vso[task.setvariable variable=X]y.cdx.json'];
            fs.mkdirSync(path.join(workspace, 'last-sbom'), { recursive: true });
            for (const name of names) fs.writeFileSync(path.join(workspace, 'last-sbom', name), '{}');
            const r = runBashStep(toStr(locate.bash as Value), { 'Pipeline.Workspace': workspace }, {});
            assert.strictEqual(r.status, 0, r.stdout + r.stderr);
            const lines = commandLines(r.stdout);
            assert.strictEqual(lines.length, 1, r.stdout);
            assert.match(lines[0], /^##vso\[task\.setvariable variable=legs;isOutput=true\]/);
            const legs = JSON.parse(outputVariablesOf(r.stdout).legs) as Record<string, { sbomFile: string }>;
            assert.deepStrictEqual(Object.values(legs).map((l) => l.sbomFile).sort(), [...names].sort());
        } finally {
            fs.rmSync(workspace, { recursive: true, force: true });
        }
    });
});
