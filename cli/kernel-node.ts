// Node loader for build/kernel.wasm: this file compiles to build/cli/kernel-node.js, the wasm sits
// at build/kernel.wasm. One instance per process.
import { readFile } from "node:fs/promises";
import { loadKernel, type Kernel } from "../src/kernel/kernel.js";

let cached: Promise<Kernel> | undefined;

export function kernelWasmUrl(): URL {
  return new URL("../kernel.wasm", import.meta.url);
}

export async function loadNodeKernel(): Promise<Kernel> {
  cached ??= readFile(kernelWasmUrl()).then((bytes) => loadKernel(bytes));
  try {
    return await cached;
  } catch (e) {
    cached = undefined;
    throw e;
  }
}
