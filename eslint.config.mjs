import js from "@eslint/js";
import tseslint from "typescript-eslint";
// ---- eslint plugin ----
// Endure's own plugin, from the built package (npm install builds it; npm test builds first).
import endure from "endure/eslint-plugin";

export default tseslint.config(
  // bench/peers has dependencies of its own (DBOS), installed only by `npm run bench:peers`.
  { ignores: ["dist/", "node_modules/", ".endure/", "bench/results/", "bench/peers/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A forgotten await on a step is a correctness bug in durable code.
      "@typescript-eslint/no-floating-promises": ["error", {
        // node:test's test() and describe() return promises the runner itself awaits.
        allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["test", "describe", "it", "suite"] }],
      }],
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // The engine is handed its storage: only src/store/** may touch a database driver.
    files: ["src/**/*.ts"],
    ignores: ["src/store/**"],
    rules: {
      "no-restricted-imports": ["error", {
        paths: [
          { name: "better-sqlite3", message: "Only src/store/** talks to a database driver." },
          { name: "pg", message: "Only src/store/** talks to a database driver." },
        ],
      }],
    },
  },
  // ---- cli and server ----
  {
    // The CLI and the HTTP server are thin adapters over the Endure client: no store, engine or
    // worker internals (the worker's Logger interface aside).
    files: ["src/cli/**/*.ts", "src/server/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        paths: ["better-sqlite3", "pg"].map((name) => ({ name, message: "Only src/store/** talks to a database driver." })),
        patterns: [{
          group: ["**/store/**", "**/engine/**", "**/worker/**", "!**/worker/logger.js"],
          message: "The CLI and the server use the Endure client only (src/index.ts, src/client/).",
        }],
      }],
    },
  },
  // ---- eslint plugin ----
  {
    // The examples are workflows as users write them: they get the guardrails users get. They import
    // Endure from the source tree, which settings.endure.modules says is Endure.
    files: ["examples/**/*.ts"],
    ...endure.configs.recommended,
    settings: { endure: { modules: ["endure", "../../src/index.js"] } },
  },
  // The plugin's test fixture breaks every rule on purpose.
  { ignores: ["test/eslint-plugin/fixtures/"] },
  { files: ["**/*.mjs", "**/*.js"], ...tseslint.configs.disableTypeChecked },
);
