// Mutation fuzzing of the reader and the verifier (issue 9). Every corpus file (test/fixtures/corpus,
// with its key from manifest.json) and every spec testdata file (.journal.xz) is mutated with the
// structure-aware seeded mutator (test/fuzz/mutate.ts); each mutant goes through verifyJournal without
// and with the key (journalctl 252 or 254 rules, alternating) and through the reader (entries, fields,
// -o export / -o json), in a worker thread watched by this one. Every input must:
//   - end, within 2 s of CPU per 512 KiB (a wall-clock watchdog of 30 s per 512 KiB calls it a hang);
//   - raise no exception other than JournalError from the reader, none at all from verifyJournal;
//   - give a well-formed report (a known verdict, journalctl-shaped lines);
//   - keep the peak resident set within 64 MiB + 32× the largest input above the warmed-up baseline.
// CI: a fixed seed and a fixed number of mutants (≈ 1 min on one core). Locally, a longer campaign:
//   SEALCHECK_FUZZ_ITERATIONS=20000 SEALCHECK_FUZZ_SEED=whatever node --test build/test/fuzz.test.js
// A failing mutant is written to test-results/fuzz/ and reproduced from (seed, file, index) alone;
// minimized crashers live in test/fixtures/fuzz/ and are replayed first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CORPUS, FIXTURES, corpusNames, testdata, testdataNames } from './journal-fixtures.js';
import { mutate } from './fuzz/mutate.js';
import type { WorkReply, WorkRequest } from './fuzz/worker.js';
import type { SystemdVersion } from '../src/verify/report.js';
import { loadNodeKernel } from '../cli/kernel-node.js';
import { verifyJournal } from '../src/verify/index.js';

const SEED = process.env.SEALCHECK_FUZZ_SEED ?? 'sealcheck-ci-1';
const TOTAL = Number(process.env.SEALCHECK_FUZZ_ITERATIONS ?? 1500);
const HALF_MIB = 512 * 1024;
const CPU_MS_PER_HALF_MIB = 2000;
const HANG_MS_PER_HALF_MIB = 30_000;
const RESULTS = join(FIXTURES, '..', '..', 'test-results', 'fuzz');
const FUZZ_FIXTURES = join(FIXTURES, 'fuzz');

interface Input {
  name: string;
  bytes: Uint8Array;
  key?: string;
}

interface Manifest {
  keys: Record<string, { verification_key: string }>;
  files: Array<{ name: string; verification_key: string | null }>;
}

async function loadInputs(): Promise<Input[]> {
  const manifest = JSON.parse(readFileSync(join(CORPUS, 'manifest.json'), 'utf8')) as Manifest;
  const keyOf = new Map(manifest.files.map((f) => [f.name, f.verification_key ?? undefined]));
  const inputs: Input[] = corpusNames().map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(CORPUS, name))), key: keyOf.get(name) }));
  // The spec testdata: keys from the recorded journalctl runs.
  const td = JSON.parse(readFileSync(join(FIXTURES, 'testdata', 'expected-journalctl-252.json'), 'utf8')) as {
    cases: Array<{ file: string; verify_key: string | null }>;
  };
  for (const name of testdataNames()) {
    const key = td.cases.find((c) => c.file === name && c.verify_key)?.verify_key ?? undefined;
    inputs.push({ name, bytes: await testdata(name), key });
  }
  return inputs;
}

interface FuzzFixture {
  name: string;
  file?: string;
  base?: string;
  key: string | null;
  patches?: Array<[number, string]>;
  why: string;
  expected_journalctl_252: { exit: number; stderr: string[] };
}

/** test/fixtures/fuzz/manifest.json: minimized inputs the fuzzers found (a raw file, or a corpus file + byte patches). */
function loadFuzzFixtures(): Array<Omit<FuzzFixture, 'key'> & { bytes: Uint8Array; key?: string }> {
  const path = join(FUZZ_FIXTURES, 'manifest.json');
  if (!existsSync(path)) return [];
  const keyA = readFileSync(join(CORPUS, 'keys/A.key'), 'utf8').trim();
  const m = JSON.parse(readFileSync(path, 'utf8')) as { cases: FuzzFixture[] };
  return m.cases.map((c) => {
    const bytes = new Uint8Array(readFileSync(c.file ? join(FUZZ_FIXTURES, c.file) : join(CORPUS, c.base!)));
    for (const [at, hex] of c.patches ?? []) bytes.set(Buffer.from(hex, 'hex'), at);
    return { ...c, bytes, key: c.key === 'A' ? keyA : undefined };
  });
}

/** One worker thread and a watchdog. */
class Runner {
  private worker!: Worker;
  private ready!: Promise<void>;
  private pending?: { resolve: (r: WorkReply | { died: string }) => void };
  restarts = 0;

  constructor() {
    this.start();
  }

  private start(): void {
    this.worker = new Worker(new URL('./fuzz/worker.js', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: 1024 },
    });
    this.ready = new Promise((resolve) => {
      const onReady = (m: { ready?: boolean }) => {
        if (m.ready) {
          this.worker.off('message', onReady);
          resolve();
        }
      };
      this.worker.on('message', onReady);
    });
    this.worker.on('message', (m: WorkReply & { ready?: boolean }) => {
      if (m.ready) return;
      const p = this.pending;
      this.pending = undefined;
      p?.resolve(m);
    });
    this.worker.on('error', (e) => {
      const p = this.pending;
      this.pending = undefined;
      p?.resolve({ died: `worker died: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` });
    });
    this.worker.on('exit', (code) => {
      const p = this.pending;
      this.pending = undefined;
      p?.resolve({ died: `worker exited with code ${code}` });
    });
  }

  async run(req: WorkRequest, hangMs: number): Promise<WorkReply | { died: string } | { hang: number }> {
    await this.ready;
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      new Promise<WorkReply | { died: string }>((resolve) => {
        this.pending = { resolve };
        this.worker.postMessage(req, [req.bytes.buffer as ArrayBuffer]);
      }),
      new Promise<{ hang: number }>((resolve) => {
        timer = setTimeout(() => resolve({ hang: hangMs }), hangMs);
      }),
    ]);
    clearTimeout(timer);
    if ('hang' in result || 'died' in result) {
      this.pending = undefined;
      await this.worker.terminate();
      this.restarts++;
      this.start();
    }
    return result;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

interface Stats {
  mutants: number;
  crashes: number;
  hangs: number;
  slow: number;
  memory: number;
  invariant: number;
  verdicts: Map<string, number>;
  maxCpuMs: number;
  maxCpuCase: string;
}

function saveMutant(label: string, bytes: Uint8Array): string {
  mkdirSync(RESULTS, { recursive: true });
  const file = join(RESULTS, label.replace(/[^A-Za-z0-9._-]+/g, '_') + '.journal');
  writeFileSync(file, bytes);
  return file;
}

async function campaign(
  runner: Runner,
  cases: Iterable<{ label: string; name: string; bytes: Uint8Array; key?: string; version: SystemdVersion; format: 'export' | 'json'; ops: string[] }>,
  stats: Stats,
  failures: string[],
  memory: { baseline: number; budget: number },
): Promise<void> {
  let id = 0;
  for (const c of cases) {
    const scale = Math.max(1, c.bytes.length / HALF_MIB);
    const keep = c.bytes.slice(); // the worker receives (and detaches) its own copy
    const r = await runner.run({ id: ++id, name: c.name, bytes: c.bytes, key: c.key, version: c.version, format: c.format }, HANG_MS_PER_HALF_MIB * scale);
    stats.mutants++;
    const where = () => `${c.label} [v${c.version}, ${c.format}${c.key ? ', key' : ''}] ops: ${c.ops.join('; ') || 'none'} → ${saveMutant(c.label, keep)}`;
    if ('hang' in r) {
      stats.hangs++;
      failures.push(`HANG (> ${r.hang} ms): ${where()}`);
      continue;
    }
    if ('died' in r) {
      stats.crashes++;
      failures.push(`CRASH (${r.died}): ${where()}`);
      continue;
    }
    if (r.crash) {
      stats.crashes++;
      failures.push(`CRASH: ${r.crash}\n  at ${where()}`);
    }
    if (r.problems.length) {
      stats.invariant++;
      failures.push(`${r.problems.join('; ')}\n  at ${where()}`);
    }
    if (r.cpuMs > CPU_MS_PER_HALF_MIB * scale) {
      stats.slow++;
      failures.push(`SLOW: ${r.cpuMs.toFixed(0)} ms CPU (wall ${r.wallMs.toFixed(0)} ms) for ${c.bytes.length} bytes: ${where()}`);
    }
    if (r.cpuMs > stats.maxCpuMs) {
      stats.maxCpuMs = r.cpuMs;
      stats.maxCpuCase = c.label;
    }
    if (memory.baseline && r.maxRss - memory.baseline > memory.budget) {
      stats.memory++;
      failures.push(`MEMORY: peak RSS grew by ${((r.maxRss - memory.baseline) / 2 ** 20).toFixed(0)} MiB (budget ${(memory.budget / 2 ** 20).toFixed(0)} MiB): ${where()}`);
      memory.baseline = r.maxRss; // report each excursion once
    }
    if (r.verdicts) {
      const v = `${r.verdicts.noKey}${r.verdicts.withKey ? ` / key ${r.verdicts.withKey}` : ''}`;
      stats.verdicts.set(v, (stats.verdicts.get(v) ?? 0) + 1);
    }
    if (failures.length > 50) break; // enough to act on
  }
}

test(`fuzz: ${TOTAL} structure-aware mutants of the corpus through the verifier and the reader (seed ${SEED})`, { timeout: 15 * 60_000 }, async (t) => {
  const inputs = await loadInputs();
  assert.ok(inputs.length >= 40, `only ${inputs.length} fuzz inputs`);
  const donors = ['sealed-nocompress.journal', 'sealed-noncompact.journal', 'unsealed.journal', 'sealed-xz.journal']
    .map((n) => inputs.find((i) => i.name === n)?.bytes)
    .filter((b): b is Uint8Array => !!b);
  const runner = new Runner();
  const stats: Stats = { mutants: 0, crashes: 0, hangs: 0, slow: 0, memory: 0, invariant: 0, verdicts: new Map(), maxCpuMs: 0, maxCpuCase: '' };
  const failures: string[] = [];
  const largest = Math.max(...inputs.map((i) => i.bytes.length));
  const memory = { baseline: 0, budget: 64 * 2 ** 20 + 32 * largest };
  const t0 = performance.now();
  try {
    // 1. The originals (warms the worker up; their verdicts are pinned elsewhere) and the saved crashers.
    await campaign(
      runner,
      [
        ...inputs.flatMap((i) => ([252, 254] as const).map((version) => ({ label: `original-${i.name}-v${version}`, ...i, bytes: i.bytes.slice(), version, format: 'json' as const, ops: [] }))),
        ...loadFuzzFixtures().flatMap((f) =>
          ([252, 254] as const).map((version) => ({ label: `fixture-${f.name}-v${version}`, name: `${f.name}.journal`, bytes: f.bytes.slice(), key: f.key, version, format: 'export' as const, ops: [] })),
        ),
      ],
      stats,
      failures,
      memory,
    );
    memory.baseline = (await runner.run({ id: 0, name: 'x', bytes: new Uint8Array(0), version: 252, format: 'json' }, 10_000) as WorkReply).maxRss;
    const originals = stats.mutants;
    stats.mutants = 0;
    // 2. The mutants: file i mod N, mutant index i, seed "<SEED>/<file>/<i>".
    function* mutants() {
      for (let i = 0; i < TOTAL; i++) {
        const input = inputs[i % inputs.length]!;
        const seed = `${SEED}/${input.name}/${i}`;
        const m = mutate(input.bytes, seed, { donors });
        yield {
          label: `${input.name}-${i}`,
          name: input.name,
          bytes: m.bytes,
          key: input.key,
          version: (i % 2 === 0 ? 252 : 254) as SystemdVersion,
          format: (i % 3 === 0 ? 'json' : 'export') as 'json' | 'export',
          ops: m.ops,
        };
      }
    }
    await campaign(runner, mutants(), stats, failures, memory);
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    t.diagnostic(`${originals} originals/fixtures + ${stats.mutants} mutants in ${secs} s (seed ${SEED}, worker restarts ${runner.restarts})`);
    t.diagnostic(`crashes ${stats.crashes}, hangs ${stats.hangs}, slow ${stats.slow}, memory ${stats.memory}, report invariants ${stats.invariant}`);
    t.diagnostic(`max CPU per input ${stats.maxCpuMs.toFixed(0)} ms (${stats.maxCpuCase})`);
    t.diagnostic(`verdicts (no key / key): ${[...stats.verdicts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`).join(', ')}`);
  } finally {
    await runner.close();
  }
  assert.deepEqual(failures, [], `${failures.length} failing inputs (reproduce with SEALCHECK_FUZZ_SEED=${SEED}):\n${failures.join('\n')}`);
});

// The minimized inputs the fuzzers found, each pinned to journalctl 252's exact output (no journalctl needed).
test('fuzz fixtures: every saved input gives journalctl 252\'s lines and exit code', async (t) => {
  const kernel = await loadNodeKernel();
  for (const f of loadFuzzFixtures()) {
    await t.test(`${f.name}: ${f.why}`, async () => {
      const name = `${f.name}.journal`;
      const r = await verifyJournal({ name, bytes: f.bytes }, kernel, { version: 252, key: f.key });
      assert.deepEqual({ exit: r.verdict === 'PASS' ? 0 : 1, stderr: r.lines }, f.expected_journalctl_252);
    });
  }
});
