// Where agentloop's package lives (action.yml, dist/, workflows-templates/), from any bundled chunk.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    if (existsSync(join(dir, 'action.yml')) && existsSync(join(dir, 'workflows-templates'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find agentloop's package (action.yml) above ${from}`);
    dir = up;
  }
}
