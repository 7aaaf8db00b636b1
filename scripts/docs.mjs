// Writes the input and output-variable reference of each task into README.md, between
// <!-- reference:<Task> --> markers, from the task.json files. `npm run docs` after changing a
// task.json; a test fails when README.md and the task.json files disagree.
import { fileURLToPath } from 'node:url';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));

const escape = (text) => String(text).replace(/\|/g, '\\|').replace(/\r?\n+/g, ' ').trim();

/** The reference section for one task, as Markdown. */
function referenceFor(task) {
  const json = JSON.parse(readFileSync(join(root, 'tasks', task, 'task.json'), 'utf8'));
  const lines = [
    `**Inputs of \`${json.name}@${json.version.Major}\`**`,
    '',
    '| input | type | default | what it does |',
    '| --- | --- | --- | --- |',
  ];
  for (const input of json.inputs) {
    const type = input.type === 'pickList' ? Object.keys(input.options ?? {}).join(' / ') : input.type;
    const defaultValue = input.defaultValue ? `\`${escape(input.defaultValue)}\`` : '';
    lines.push(`| \`${input.name}\` | ${escape(type)} | ${defaultValue} | ${escape(input.helpMarkDown ?? input.label)} |`);
  }
  lines.push('', `**Output variables of \`${json.name}@${json.version.Major}\`**`, '', '| variable | meaning |', '| --- | --- |');
  for (const variable of json.outputVariables ?? []) {
    lines.push(`| \`${variable.name}\` | ${escape(variable.description ?? '')} |`);
  }
  return lines.join('\n');
}

/** README text with every reference section regenerated. */
export function renderReadme(readme) {
  return readme.replace(/(<!-- reference:(\w+) -->)[\s\S]*?(<!-- \/reference:\2 -->)/g, (_m, open, task, close) => `${open}\n${referenceFor(task)}\n${close}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = join(root, 'README.md');
  writeFileSync(file, renderReadme(readFileSync(file, 'utf8')));
}
