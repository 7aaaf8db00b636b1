/**
 * A minimal, allocation-light scanner over XML text: element start/end tags with their positions,
 * skipping comments, CDATA, processing instructions and doctype, honouring quoted attribute values.
 * Enough to find where to splice into a CycloneDX document and to count its components without
 * building a DOM (SBOMs can be hundreds of MB). It does not check well-formedness: the XSD
 * validation does. Pure.
 */
export interface XmlTag {
  kind: 'start' | 'end' | 'empty';
  /** Qualified name as written, e.g. `bom` or `cdx:bom`. */
  name: string;
  /** Index of '<'. */
  start: number;
  /** Index just after '>'. */
  end: number;
}

export function localName(qname: string): string {
  const colon = qname.indexOf(':');
  return colon < 0 ? qname : qname.slice(colon + 1);
}

export function prefixOf(qname: string): string {
  const colon = qname.indexOf(':');
  return colon < 0 ? '' : qname.slice(0, colon);
}

function nameEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    // whitespace, '/', '>'
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x2f || c === 0x3e) break;
    i++;
  }
  return i;
}

/** Iterates element tags from `from`. Stops at the end of the text or at malformed input. */
export function* xmlTags(text: string, from = 0): Generator<XmlTag> {
  let pos = from;
  for (;;) {
    const lt = text.indexOf('<', pos);
    if (lt < 0 || lt + 1 >= text.length) return;
    const next = text.charCodeAt(lt + 1);
    if (next === 0x21 /* ! */) {
      if (text.startsWith('<!--', lt)) {
        const close = text.indexOf('-->', lt + 4);
        if (close < 0) return;
        pos = close + 3;
      } else if (text.startsWith('<![CDATA[', lt)) {
        const close = text.indexOf(']]>', lt + 9);
        if (close < 0) return;
        pos = close + 3;
      } else {
        const close = text.indexOf('>', lt + 2);
        if (close < 0) return;
        pos = close + 1;
      }
      continue;
    }
    if (next === 0x3f /* ? */) {
      const close = text.indexOf('?>', lt + 2);
      if (close < 0) return;
      pos = close + 2;
      continue;
    }
    if (next === 0x2f /* / */) {
      const end = nameEnd(text, lt + 2);
      const close = text.indexOf('>', end);
      if (close < 0) return;
      yield { kind: 'end', name: text.slice(lt + 2, end), start: lt, end: close + 1 };
      pos = close + 1;
      continue;
    }
    const end = nameEnd(text, lt + 1);
    const name = text.slice(lt + 1, end);
    // Find the closing '>' outside quoted attribute values.
    let i = end;
    let quote = 0;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (quote) {
        if (c === quote) quote = 0;
      } else if (c === 0x22 || c === 0x27) {
        quote = c;
      } else if (c === 0x3e) {
        break;
      }
    }
    if (i >= text.length) return;
    const empty = text.charCodeAt(i - 1) === 0x2f;
    yield { kind: empty ? 'empty' : 'start', name, start: lt, end: i + 1 };
    pos = i + 1;
  }
}

/** The value of attribute `name` in a start tag's text, unescaped for the basic entities. */
export function attribute(tagText: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name.replace(/[.:]/g, '\\$&')}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(tagText);
  if (!match) return undefined;
  return (match[2] ?? match[3])
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Escapes text for XML content or a double-quoted attribute; drops characters XML 1.0 forbids. */
export function xmlEscape(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
