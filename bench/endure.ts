/**
 * Endure as the benchmarks use it: the compiled package (`dist/`, built by `npm run bench` first),
 * as applications run it in production, not the TypeScript sources through tsx, whose transform
 * adds its own cost to every closure.
 */
export * from "../dist/index.js";
export { openStore } from "../dist/store/open-store.js";
