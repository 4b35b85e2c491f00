#!/usr/bin/env node
// The CLI is written in TypeScript (cli/) and built to build/ by `npm install` (prepare).
import('../build/cli/main.js').then((m) => m.main(process.argv.slice(2))).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`sealcheck: internal error: ${err && err.stack || err}`); process.exitCode = 2; },
);
