/**
 * Bundles the CLI (tsc's output in build/cli/, build/src/) into build/cli-bundle/: one module per
 * entry (the CLI, its seal helper thread, its verify worker) plus a few shared chunks, instead of
 * ~30 modules to resolve and load on every start (10-20 ms of a run that verifies a 120 MiB journal
 * in ~0.45 s). The packages (decoders) stay imports of node_modules. build/cli-bundle/ sits beside
 * build/cli/, and every file of it in that one folder, so the relative URLs in the code
 * (../kernel.wasm, ./mac-worker.js) mean the same.
 *
 * CommonJS, not ES modules (a package.json saying so is written beside the bundle, as bin/ has one):
 * Node starts a CommonJS entry, and above all a worker thread, without its ES module loader. The seal
 * helper's thread then runs its first line ~10 ms sooner, and it is the thread a sealed file's
 * verification ends on. 24 interleaved pairs on the 120 MiB sealed plain journal: −21.5 ± 6.0 ms
 * (18 lower, 6 higher); 20 on the sealed ZSTD one: −26 ± 11 ms (14/6); the unsealed plain one, which
 * starts no helper: −4.6 ± 8.9 ms.
 */
import { defineConfig, type Plugin } from 'vite';

/** build/cli-bundle/package.json: its .js files are CommonJS (the project's own package.json says ES modules). */
const commonJsFolder: Plugin = {
  name: 'commonjs-folder',
  generateBundle() {
    this.emitFile({ type: 'asset', fileName: 'package.json', source: '{ "type": "commonjs" }\n' });
  },
};

export default defineConfig({
  plugins: [commonJsFolder],
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
      output: { format: 'cjs', entryFileNames: '[name].js', chunkFileNames: 'chunk-[name].js' },
    },
  },
});
