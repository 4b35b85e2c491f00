/**
 * Bundles the CLI (tsc's output in build/cli/, build/src/) into build/cli-bundle/: one module per
 * entry (the CLI, its seal helper thread, its verify worker) plus a few shared chunks, instead of
 * ~30 modules to resolve and load on every start (10-20 ms of a run that verifies a 120 MiB journal
 * in ~0.45 s). The packages (decoders) stay imports of node_modules. build/cli-bundle/ sits beside
 * build/cli/, and every file of it in that one folder, so the relative URLs in the code
 * (../kernel.wasm, ./mac-worker.js) mean the same.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  publicDir: false,
  logLevel: 'warn',
  build: {
    ssr: true,
    outDir: 'build/cli-bundle',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: false,
    rollupOptions: {
      input: {
        main: 'build/cli/main.js',
        'mac-worker': 'build/cli/mac-worker.js',
        'verify-worker': 'build/cli/verify-worker.js',
      },
      output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunk-[name].js' },
    },
  },
});
