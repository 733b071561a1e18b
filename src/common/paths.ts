import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The same code runs from src/ (tests) and dist/src/ (built): find the project root by its
// package.json rather than by a fixed number of '..'.
function findProjectRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`package.json not found above ${start}`);
    }
    dir = parent;
  }
  return dir;
}

export const PROJECT_ROOT = findProjectRoot(dirname(fileURLToPath(import.meta.url)));
export const VIEWS_DIR = join(PROJECT_ROOT, 'views');
export const I18N_DIR = join(PROJECT_ROOT, 'i18n');
export const PUBLIC_DIR = join(PROJECT_ROOT, 'public');
