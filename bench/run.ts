// Runs every benchmark in bench/ in one go (`npm run bench`). Each module exports run() and
// prints its own figures as ratios against a baseline measured in the same run.
import * as fs from 'fs';
import * as path from 'path';

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const modules = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.js') && f !== 'run.js')
    .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
    .sort();
  for (const file of modules) {
    // Header first: loading a module may already print (task-lib logs debug lines when loaded).
    console.log(`\n== ${path.basename(file, '.js')} ==`);
    const bench = require(path.join(__dirname, file)) as { run?: () => Promise<void> };
    if (typeof bench.run === 'function') await bench.run();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
