// Reading task.json files the way the task assistant does, for the static tests.

/** Input names referenced by a visibleRule such as `a = b && c != "" || d NotEndsWith x`. */
export function visibleRuleInputs(rule: string): string[] {
  const ops = '(?:!=|<=|>=|==|=|<|>|NotContains|NotEndsWith|NotStartsWith|Contains|EndsWith|StartsWith)';
  return rule
    .split(/&&|\|\|/)
    .map((clause) => clause.trim())
    .filter(Boolean)
    .map((clause) => {
      const m = new RegExp(`^([A-Za-z][A-Za-z0-9]*)\\s*${ops}`).exec(clause);
      if (!m) throw new Error(`cannot parse visibleRule clause "${clause}" in "${rule}"`);
      return m[1];
    });
}
