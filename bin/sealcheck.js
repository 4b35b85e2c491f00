#!/usr/bin/env node
// The CLI is written in TypeScript (cli/), compiled by tsc to build/ and bundled into
// build/cli-bundle/ by `npm install` (prepare): a few modules to load instead of ~30.
import('../build/cli-bundle/main.js').then((m) => m.main(process.argv.slice(2))).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`sealcheck: internal error: ${err && err.stack || err}`); process.exitCode = 2; },
);
