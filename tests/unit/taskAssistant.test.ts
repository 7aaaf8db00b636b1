// The task assistant a user meets first: the groups and their order, the inputs shown only when
// they matter, the same label for the same thing in both tasks, and help that links to this
// extension's README. Read from whatever inputs the task.json files declare.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { githubAnchors, repositoryUrl } from '../harness/docs';
import { repoRoot } from '../harness/paths';
import { visibleRuleInputs } from '../harness/taskJson';

interface Input {
  name: string;
  label: string;
  groupName?: string;
  visibleRule?: string;
  helpMarkDown?: string;
}
interface Group {
  name: string;
  displayName: string;
  isExpanded?: boolean;
}
interface Task {
  name: string;
  helpUrl: string;
  instanceNameFormat: string;
  groups: Group[];
  inputs: Input[];
}

const taskNames = ['GrypeScan', 'SyftSbom'];
const tasks: Record<string, Task> = Object.fromEntries(
  taskNames.map((t) => [t, JSON.parse(fs.readFileSync(path.join(repoRoot, 'tasks', t, 'task.json'), 'utf8'))]),
);

/** The order groups appear in, in every task (a task leaves out the ones it has no inputs for); triage: GrypeScan's baseline, exceptions and VEX, after the thresholds they feed. */
const GROUP_ORDER = ['scan', 'policy', 'triage', 'reports', 'dependencyTrack', 'installation', 'advanced'];
/** Groups every task has. */
const REQUIRED_GROUPS = ['scan', 'policy', 'reports', 'installation', 'advanced'];
/** Shown collapsed: what most users never change. */
const COLLAPSED_GROUPS = ['installation', 'advanced'];

/** A label with the tool's name taken out ("Grype executable" and "Syft executable" name one concept). */
const concept = (label: string) => label.replace(/\b(Grype|Syft)\b/g, '<tool>');

describe('task assistant (task.json groups, labels, visibleRules, help links)', () => {
  const repo = repositoryUrl();
  const readmeAnchors = githubAnchors(fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8'));

  for (const t of taskNames) {
    describe(t, () => {
      const task = tasks[t];

      it('shows its groups in the assistant order, installation and advanced collapsed', () => {
        const names = task.groups.map((g) => g.name);
        for (const n of names) assert.ok(GROUP_ORDER.includes(n), `group "${n}" is not one of ${GROUP_ORDER.join(', ')}`);
        assert.deepEqual(names, GROUP_ORDER.filter((n) => names.includes(n)), `groups out of order: ${names.join(', ')}`);
        for (const n of REQUIRED_GROUPS) assert.ok(names.includes(n), `no "${n}" group`);
        for (const g of task.groups) {
          if (COLLAPSED_GROUPS.includes(g.name)) assert.equal(g.isExpanded, false, `group ${g.name} must be collapsed ("isExpanded": false)`);
        }
      });

      it('puts every input in an existing group, and uses every group', () => {
        const groups = new Set(task.groups.map((g) => g.name));
        for (const i of task.inputs) {
          assert.ok(i.groupName, `input ${i.name} has no groupName: the assistant would show it above every group`);
          assert.ok(groups.has(i.groupName), `input ${i.name}: group "${i.groupName}" is not in groups[]`);
        }
        for (const g of groups) assert.ok(task.inputs.some((i) => i.groupName === g), `group ${g} holds no input`);
      });

      it('writes visibleRules the assistant can evaluate, on inputs that exist', () => {
        const names = new Set(task.inputs.map((i) => i.name));
        for (const i of task.inputs.filter((x) => x.visibleRule)) {
          const rule = i.visibleRule!;
          // The assistant evaluates either all-&& or all-|| rules; a mix is not supported.
          assert.ok(!(rule.includes('&&') && rule.includes('||')), `input ${i.name}: visibleRule "${rule}" mixes && and ||`);
          for (const clause of rule.split(/&&|\|\|/)) {
            assert.match(clause.trim(), /^[A-Za-z][A-Za-z0-9]*\s*(==|!=|=)\s*("[^"]*"|[A-Za-z0-9._-]+)$/, `input ${i.name}: clause "${clause.trim()}" is not <input> =|==|!= <value>`);
          }
          for (const ref of visibleRuleInputs(rule)) {
            assert.ok(names.has(ref), `input ${i.name}: visibleRule "${rule}" names unknown input "${ref}"`);
            assert.notEqual(ref, i.name, `input ${i.name}: visibleRule depends on itself`);
          }
        }
      });

      it('helpUrl is this extension’s README', () => {
        assert.equal(task.helpUrl, `${repo}#readme`);
      });

      it('every input’s help links to a README section that exists', () => {
        const link = new RegExp(`\\[More\\]\\(${repo.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}#([a-z0-9_-]+)\\)$`);
        for (const i of task.inputs) {
          const m = link.exec(i.helpMarkDown ?? '');
          assert.ok(m, `input ${i.name}: helpMarkDown does not end with [More](${repo}#<README section>)`);
          assert.ok(readmeAnchors.has(m[1]), `input ${i.name}: README has no section #${m[1]} (anchors: ${[...readmeAnchors].join(', ')})`);
        }
      });

      it('instanceNameFormat shows the target', () => {
        assert.match(task.instanceNameFormat, /\$\(target\)/);
      });
    });
  }

  it('gives an input both tasks have the same label, and a group both have the same name', () => {
    const [a, b] = taskNames.map((t) => tasks[t]);
    for (const input of a.inputs) {
      const other = b.inputs.find((i) => i.name === input.name);
      if (other) assert.equal(concept(other.label), concept(input.label), `input ${input.name}: "${input.label}" in ${a.name}, "${other.label}" in ${b.name}`);
    }
    for (const group of a.groups.filter((g) => g.name !== 'policy')) {
      const other = b.groups.find((g) => g.name === group.name);
      if (other) assert.equal(other.displayName, group.displayName, `group ${group.name}: "${group.displayName}" in ${a.name}, "${other.displayName}" in ${b.name}`);
    }
  });

  it('anchor reader: GitHub’s slugs, repeats numbered', () => {
    const anchors = githubAnchors('# A `b` & C\n## Air-gapped and mirrored agents\n```\n# not a heading\n```\n## A b  C\n### [Link](x) text\n');
    assert.deepEqual([...anchors], ['a-b--c', 'air-gapped-and-mirrored-agents', 'a-b--c-1', 'link-text']);
  });
});
