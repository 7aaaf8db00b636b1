// Helpers for validating pipeline YAML the way the Azure Pipelines VS Code extension does:
// the Azure Pipelines schema (built-in tasks only) plus entries generated from our own
// task.json files, checked with Microsoft's azure-pipelines-language-service.
import * as fs from 'fs';
import * as path from 'path';
import * as ls from 'azure-pipelines-language-service';

export interface TaskInput {
    name: string;
    type: string;
    label?: string;
    defaultValue?: string | boolean;
    required?: boolean;
    aliases?: string[];
    options?: Record<string, string>;
    properties?: Record<string, string>;
    visibleRule?: string;
}

export interface TaskJson {
    name: string;
    friendlyName?: string;
    description?: string;
    version: { Major: number; Minor: number; Patch: number };
    inputs?: TaskInput[];
    outputVariables?: { name: string; description?: string }[];
}

export function readTaskJson(taskJsonPath: string): TaskJson {
    return JSON.parse(fs.readFileSync(taskJsonPath, 'utf8').replace(/^\uFEFF/, '')) as TaskJson;
}

/** `GrypeScan@1` */
export function taskReference(task: TaskJson): string {
    return `${task.name}@${task.version.Major}`;
}

/** All names (and aliases) under which an input can be given in YAML. */
export function inputNames(task: TaskJson): Set<string> {
    const names = new Set<string>();
    for (const input of task.inputs ?? []) {
        names.add(input.name);
        for (const alias of input.aliases ?? []) {
            names.add(alias);
        }
    }
    return names;
}

// A value given as a pipeline expression (${{ }}, $[ ], $( )) is resolved by Azure Pipelines;
// the language service skips `type` checks for these but not `enum` checks, so pick lists
// accept them explicitly.
const EXPRESSION_PATTERN = '^\\s*(\\$\\{\\{[\\s\\S]*\\}\\}|\\$\\[[\\s\\S]*\\]|\\$\\([\\s\\S]*\\))\\s*$';

function inputSchema(input: TaskInput): Record<string, unknown> {
    const description = input.label ?? input.name;
    const extra: Record<string, unknown> = {};
    if (input.aliases && input.aliases.length > 0) {
        extra.aliases = input.aliases;
    }
    if (input.type === 'boolean') {
        return { type: 'boolean', description, ignoreCase: 'key', ...extra };
    }
    const editable = /^true$/i.test(input.properties?.EditableOptions ?? '');
    if ((input.type === 'pickList' || input.type === 'radio') && input.options && !editable) {
        return {
            description,
            ignoreCase: 'key',
            anyOf: [
                { ignoreCase: 'all', enum: Object.keys(input.options) },
                { type: 'string', pattern: EXPRESSION_PATTERN },
            ],
            ...extra,
        };
    }
    return { type: 'string', description, ignoreCase: 'key', ...extra };
}

/**
 * Schema fragments for one task, in the shape the Azure Pipelines schema uses for built-in
 * tasks (see the `Cache@2` entry): an entry for the `task` name list and an `anyOf` branch
 * with the task's `inputs` (additionalProperties: false).
 */
export function taskSchemaEntries(task: TaskJson): { nameEntry: object; taskEntry: object } {
    const ref = taskReference(task);
    const description = task.description ?? task.friendlyName ?? task.name;
    const properties: Record<string, unknown> = {};
    const required: string[] = [];
    for (const input of task.inputs ?? []) {
        properties[input.name] = inputSchema(input);
        const hasDefault = input.defaultValue !== undefined && String(input.defaultValue) !== '';
        if (input.required && !hasDefault && !input.visibleRule) {
            required.push(input.name);
        }
    }
    const escaped = ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return {
        nameEntry: { description, doNotSuggest: false, ignoreCase: 'value', enum: [ref] },
        taskEntry: {
            properties: {
                task: { description: `${task.friendlyName ?? task.name}\n\n${description}`, ignoreCase: 'value', pattern: `^${escaped}$` },
                inputs: {
                    description: `${task.friendlyName ?? task.name} inputs`,
                    properties,
                    additionalProperties: false,
                    required,
                },
            },
            doNotSuggest: false,
            firstProperty: ['task'],
            required: required.length > 0 ? ['task', 'inputs'] : ['task'],
        },
    };
}

interface TaskDefinitionSchema {
    properties: { task: { anyOf: object[] } };
    anyOf: object[];
}

/** The Azure Pipelines schema with entries for `tasks` added (as for an organisation's installed tasks). */
export function pipelineSchemaWithTasks(schemaPath: string, tasks: TaskJson[]): Record<string, unknown> {
    const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8')) as { definitions: { task: TaskDefinitionSchema } };
    const taskDef = schema.definitions.task;
    if (!taskDef?.properties?.task?.anyOf || !Array.isArray(taskDef.anyOf)) {
        throw new Error(`${schemaPath}: unexpected shape of definitions.task (the schema format changed?)`);
    }
    for (const task of tasks) {
        const { nameEntry, taskEntry } = taskSchemaEntries(task);
        taskDef.properties.task.anyOf.push(nameEntry);
        taskDef.anyOf.push(taskEntry);
    }
    return schema as unknown as Record<string, unknown>;
}

export interface Problem {
    severity: 'error' | 'warning' | 'hint';
    line: number; // 1-based
    column: number; // 1-based
    message: string;
    /** The source text the diagnostic points at. */
    text: string;
}

export interface PipelineValidator {
    validate(text: string, fileName?: string): Promise<Problem[]>;
}

/** Validates YAML text with azure-pipelines-language-service against `schema`. */
export function createValidator(schema: Record<string, unknown>): PipelineValidator {
    const service = ls.getLanguageService(
        (uri: string) => Promise.reject(new Error(`no schema request expected (${uri})`)),
        [],
        undefined as unknown as ls.CustomSchemaProvider,
    );
    service.configure({
        validate: true,
        schemas: [{ uri: 'file:///azure-pipelines.schema.json', fileMatch: ['*'], schema }],
    });
    let counter = 0;
    return {
        async validate(text: string, fileName = 'pipeline.yml'): Promise<Problem[]> {
            // A new URI each time: the service caches the schema per document URI.
            const uri = `file:///validate/${++counter}/${path.basename(fileName)}`;
            const doc = ls.TextDocument.create(uri, 'yaml', 1, text);
            // The service logs every schema lookup with console.log; keep the test output clean.
            const log = console.log;
            console.log = () => undefined;
            let diagnostics: ls.Diagnostic[];
            try {
                diagnostics = await service.doValidation(doc, ls.parse(text));
            } finally {
                console.log = log;
            }
            return diagnostics.map((d) => ({
                severity: d.severity === ls.DiagnosticSeverity.Error ? 'error' : d.severity === ls.DiagnosticSeverity.Warning ? 'warning' : 'hint',
                line: d.range.start.line + 1,
                column: d.range.start.character + 1,
                message: typeof d.message === 'string' ? d.message : d.message.value,
                text: doc.getText(d.range),
            }));
        },
    };
}

export function formatProblems(file: string, problems: Problem[]): string {
    return problems.map((p) => `${file}:${p.line}:${p.column} ${p.severity}: ${p.message}`).join('\n');
}

/**
 * The language service checks `pattern`/`enum` against the literal text of a template
 * expression (`job: ${{ parameters.name }}` → "String does not match the pattern of
 * ^[_A-Za-z0-9]*$"), a known false positive of the editor (microsoft/azure-pipelines-vscode
 * #420, #349, #529): Azure Pipelines checks the value after expansion. Only warnings of that
 * kind on text containing `${{ }}` qualify; tests must check the expanded values themselves.
 */
export function isTemplateExpressionFalsePositive(p: Problem): boolean {
    return p.severity === 'warning'
        && /does not match the pattern|Value is not accepted/.test(p.message)
        && /\$\{\{[\s\S]*\}\}/.test(p.text);
}
