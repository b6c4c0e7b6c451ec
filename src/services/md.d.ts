// Markdown files imported as text: esbuild bundles them with `loader: { '.md': 'text' }`, vitest with
// the mdText() plugin from test/support/md-plugin.ts.
declare module '*.md' {
  const text: string;
  export default text;
}
