// Vite/vitest plugin: `import text from './x.md'` yields the file's text, like esbuild's `text` loader
// that scripts/bundle.mjs configures for the bundle (`loader: { '.md': 'text' }`).
import type { Plugin } from 'vitest/config';

export function mdText(): Plugin {
  return {
    name: 'agentloop-md-text',
    enforce: 'pre',
    transform(code, id) {
      const path = id.split('?')[0] ?? id;
      if (!path.endsWith('.md')) return null;
      return { code: `export default ${JSON.stringify(code)};`, map: null };
    },
  };
}
