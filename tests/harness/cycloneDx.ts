// Synthetic CycloneDX JSON SBOMs built in code (no fixture): many components, for the size and
// stack-depth cases (a real image SBOM has hundreds of thousands of components).
import * as fs from 'node:fs';

/**
 * Writes a CycloneDX 1.6 JSON with `count` components, valid against the schema: all top-level
 * but the last `nested`, which sit under the first component (nested `components`), so both the
 * top-level and the nested walk see large arrays. Streams the file: it can be far larger than
 * what one JSON.stringify would hold. Returns the file's size in bytes.
 */
export function writeManyComponentsSbom(file: string, count: number, nested = Math.min(1000, Math.floor(count / 10))): number {
  const component = (i: number) => ({
    type: i % 7 === 0 ? 'application' : 'library',
    'bom-ref': `pkg:npm/synthetic-${i}@1.${i % 100}.0`,
    name: `synthetic-${i}`,
    version: `1.${i % 100}.0`,
    purl: `pkg:npm/synthetic-${i}@1.${i % 100}.0`,
  });
  const fd = fs.openSync(file, 'w');
  try {
    const head = { bomFormat: 'CycloneDX', specVersion: '1.6', serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79', version: 1, metadata: { component: { type: 'application', 'bom-ref': 'root', name: 'synthetic' } } };
    const headText = JSON.stringify(head);
    fs.writeSync(fd, `${headText.slice(0, -1)},"components":[`);
    const top = count - nested;
    for (let i = 0; i < top; i++) {
      let text = JSON.stringify(component(i));
      if (i === 0 && nested > 0) {
        const children: string[] = [];
        for (let j = top; j < count; j++) children.push(JSON.stringify(component(j)));
        text = `${text.slice(0, -1)},"components":[${children.join(',')}]}`;
      }
      fs.writeSync(fd, `${i ? ',' : ''}\n${text}`);
    }
    fs.writeSync(fd, '\n]}\n');
  } finally {
    fs.closeSync(fd);
  }
  return fs.statSync(file).size;
}
