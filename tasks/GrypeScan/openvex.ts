/**
 * OpenVEX documents, read for what Grype's report leaves out: the justification of a statement
 * that suppressed a match. PURE.
 */

/** What an OpenVEX statement says, reduced to what the summary shows and how to find it again. */
export interface VexStatement {
  /** The vulnerability's name, @id and aliases, upper-cased. */
  vulnerabilityIds: string[];
  /** Product and subcomponent identifiers (purls, image references). */
  identifiers: string[];
  status: string;
  justification: string;
  impactStatement: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * The statements of an OpenVEX JSON document. PURE. Grype's ignore rule for a VEX-suppressed match
 * carries the status but, with its default rules (`vex-status: not_affected` / `fixed`, grype
 * cmd/grype/cli/commands/root.go), no justification: that is read from the document itself.
 * Anything that is not OpenVEX JSON (e.g. CSAF) yields no statements; Grype reports its own errors.
 */
export function parseOpenVexStatements(content: string): VexStatement[] {
  let doc: unknown;
  try {
    doc = JSON.parse(content.replace(/^\uFEFF/, ''));
  } catch {
    return [];
  }
  if (!isObject(doc)) return [];
  return list(doc.statements)
    .filter(isObject)
    .map((s) => {
      const v = isObject(s.vulnerability) ? s.vulnerability : {};
      const ids = [text(v.name), text(v['@id']), ...list(v.aliases).map(text), text(s.vulnerability)].filter(Boolean).map((id) => id.toUpperCase());
      const identifiers: string[] = [];
      for (const product of list(s.products).filter(isObject)) {
        for (const p of [product, ...list(product.subcomponents).filter(isObject)]) {
          identifiers.push(text(p['@id']));
          if (isObject(p.identifiers)) for (const id of Object.values(p.identifiers)) identifiers.push(text(id));
        }
      }
      return { vulnerabilityIds: ids, identifiers: identifiers.filter(Boolean), status: text(s.status), justification: text(s.justification), impactStatement: text(s.impact_statement) };
    });
}

/** The purl without qualifiers and subpath, as VEX documents usually write it. */
function bareIdentifier(id: string): string {
  return id.replace(/[?#].*$/, '');
}

/**
 * The statement behind a VEX-suppressed finding: same vulnerability (id or related id) and status,
 * naming the package's purl if any statement does, else the only candidate (the product may be the
 * image). undefined when it cannot be told.
 */
export function findVexStatement(statements: readonly VexStatement[], ids: readonly string[], purl: string, status: string): VexStatement | undefined {
  const wanted = new Set(ids.map((id) => id.toUpperCase()));
  const candidates = statements.filter((s) => s.status === status && s.vulnerabilityIds.some((id) => wanted.has(id)));
  const bare = purl ? bareIdentifier(purl) : '';
  const byPackage = bare ? candidates.filter((s) => s.identifiers.some((i) => bareIdentifier(i) === bare)) : [];
  if (byPackage.length) return byPackage[0];
  return candidates.length === 1 ? candidates[0] : undefined;
}
