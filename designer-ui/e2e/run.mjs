// Runs the browser tests: prepares one SQLite database with the demo data
// (`recoup demo`, the command `make run` uses: the data, the example rules
// and the weeks of history before today), then runs every e2e/*.test.mjs
// with node's test runner; each test file starts its own `recoup serve` on
// a copy.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { bin, outDir, root } from './harness.mjs';

if (!existsSync(bin)) {
  console.error(`${bin} is missing: run make build`);
  process.exit(1);
}
rmSync(join(outDir, 'db'), { recursive: true, force: true });
mkdirSync(join(outDir, 'db'), { recursive: true });
const data = join(outDir, 'demo');
const template = join(outDir, 'db', 'template.db');
const flags = ['--company', 'Demo Trading Co.', '--timezone', 'Asia/Shanghai', '--currency', 'CNY'];
const run = (...args) => execFileSync(bin, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
run('demo', '--db', `sqlite:${template}`, ...flags, '--out', data, '--rules', join(root, 'rules-examples'));

const files = readdirSync(new URL('.', import.meta.url)).filter((f) => f.endsWith('.test.mjs')).sort()
  .filter((f) => process.argv.length <= 2 || process.argv.slice(2).some((a) => f.includes(a)));
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-reporter=spec', ...files.map((f) => join('e2e', f))], {
  cwd: join(root, 'designer-ui'),
  stdio: 'inherit',
  env: { ...process.env, RECOUP_E2E_TEMPLATE: template, RECOUP_E2E_FLAGS: JSON.stringify(flags) },
});
console.log(`screenshots: ${outDir}`);
process.exit(r.status ?? 1);
