// fixture_files: the export files under a fixtures folder (recursively, sorted), for tests that run
// every fixture through two paths and compare (native_vs_wasm, parallel). Expected-report files are left out.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export function listFixtures(folder) {
  if (!existsSync(folder)) return [];
  const found = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...listFixtures(path));
    else if (/\.(csv|tsv|txt|json|ndjson)$/i.test(entry.name) && !/\.expected\.json$/.test(entry.name)) found.push(path);
  }
  return found.sort();
}
