// The core is type-checked with lib ES2022 only (no DOM, no @types/node), which has no WebAssembly
// types. Interface-only declarations merge with lib.dom's where it is present; the runtime object is
// reached through globalThis with the local types in kernel.ts, so nothing here declares a value.
declare namespace WebAssembly {
  // eslint-disable-next-line @typescript-eslint/no-empty-interface
  interface Module {}
}
