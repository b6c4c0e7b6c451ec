// esbuild plugins shared by scripts/bundle.mjs and the bench's stack-only build (scripts/bench.ts).

/**
 * @actions/core's OIDC client (getIDToken) and platform details (core.platform) import @actions/http-client
 * with its own undici, and @actions/exec; agentloop calls neither, but esbuild keeps a module whose
 * package does not say it is free of side effects. Said here for those two files, esbuild drops them:
 * the heavy path loads ~420 KiB less (docs/performance.md, Start-up).
 */
export const actionsCoreUnused = {
  name: 'actions-core-unused',
  setup(b) {
    b.onResolve({ filter: /^\.\/(oidc-utils|platform)\.js$/ }, async (args) => {
      if (!/[\\/]@actions[\\/]core[\\/]/.test(args.importer) || args.pluginData?.again) return undefined;
      const resolved = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: { again: true } });
      return { path: resolved.path, sideEffects: false };
    });
  },
};
