// Compiles styles/app.scss (GOV.UK Frontend underneath) into public/build/app.css, unless the
// output is newer than every source. Run by `npm run build` and by the tests' global setup.
import { mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'styles', 'app.scss');
const output = join(root, 'public', 'build', 'app.css');

function newestSource() {
  const dir = join(root, 'styles');
  const stamps = readdirSync(dir).map((f) => statSync(join(dir, f)).mtimeMs);
  stamps.push(statSync(join(root, 'node_modules', 'govuk-frontend', 'package.json')).mtimeMs);
  return Math.max(...stamps);
}

export async function buildCss({ force = false } = {}) {
  let built = 0;
  try {
    built = statSync(output).mtimeMs;
  } catch {
    // not built yet
  }
  if (!force && built > newestSource()) {
    return false;
  }
  const sass = await import('sass');
  const result = sass.compile(source, {
    loadPaths: [join(root, 'node_modules')],
    style: 'compressed',
    quietDeps: true,
  });
  mkdirSync(dirname(output), { recursive: true });
  // Written aside and renamed: two test runs at once (CI's SQLite and MariaDB runs) may both
  // build it, and neither may serve the other a half-written file.
  const partial = `${output}.${process.pid}.tmp`;
  writeFileSync(partial, result.css);
  renameSync(partial, output);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildCss({ force: process.argv.includes('--force') }).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
