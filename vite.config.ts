/**
 * Builds the page into dist/: relative base (works from any path on any static server), Preact, the
 * verify workers as ES modules, kernel.wasm as an asset, public/ (manifest, icons, the sample) copied,
 * and the service worker (web/sw/sw.ts) given the list of files to precache by vite-plugin-pwa.
 * build/kernel.wasm must exist first (`npm run build:wasm`; `npm start` does it).
 */
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

export default defineConfig({
  base: './',
  publicDir: 'public',
  plugins: [
    preact(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'web/sw',
      filename: 'sw.ts',
      injectRegister: false, // web/sw/register.ts does it, with the update prompt
      manifest: false, // public/manifest.webmanifest
      injectManifest: {
        globPatterns: ['**/*.{html,js,css,wasm,svg,png,webmanifest,journal,key}'],
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        rollupFormat: 'iife',
      },
      devOptions: { enabled: false },
    }),
  ],
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No inline anything (CSP): the modulepreload polyfill would be inlined into the entry's HTML.
    modulePreload: { polyfill: false },
    assetsInlineLimit: (file) => (file.endsWith('.wasm') ? false : undefined),
  },
  server: { port: 5173 },
  preview: { port: 4173 },
});
