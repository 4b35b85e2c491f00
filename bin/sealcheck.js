#!/usr/bin/env node
// The CLI is written in TypeScript (cli/), compiled by tsc to build/ and bundled into
// build/cli-bundle/ by `npm install` (prepare): a few modules to load instead of ~30. This file and
// the bundle are CommonJS (bin/package.json, build/cli-bundle/package.json): Node starts them, and
// the bundle's worker threads, without its ES module loader (vite.cli.config.ts says what it saves).
let main;
try {
  ({ main } = require('../build/cli-bundle/main.js'));
} catch (err) {
  console.error(`sealcheck: internal error: ${(err && err.stack) || err}`);
  process.exit(2);
}
main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`sealcheck: internal error: ${(err && err.stack) || err}`); process.exitCode = 2; },
);
