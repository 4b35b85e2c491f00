// Minimal types for lz4js (the package ships none): a dev dependency, whose encoder makes LZ4 blocks
// for the tests of our decoder (src/journal/compress.ts).
declare module 'lz4js' {
  /** Decodes one raw LZ4 block src[sIndex, sIndex+sLength) into dst at dIndex; returns the end index in dst. No bounds checks. */
  export function decompressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, dIndex: number): number;
  /** Encodes one raw LZ4 block; returns its size (0 = incompressible). */
  export function compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hashTable: Uint32Array): number;
  export function compressBound(n: number): number;
}
