/**
 * Endure's ESLint plugin (ESLint 9, flat config): flags what breaks replay in workflow bodies.
 *
 * @example
 * ```js
 * // eslint.config.js
 * import endure from "endure/eslint-plugin";
 * export default [endure.configs.recommended];
 * ```
 * @module
 */
import type { ESLint, Linter, Rule } from "eslint";
import { noFloatingDurableCalls } from "./rules/no-floating-durable-calls.js";
import { noIoOutsideSteps } from "./rules/no-io-outside-steps.js";
import { noNondeterministicCalls } from "./rules/no-nondeterministic-calls.js";
import { noTimers } from "./rules/no-timers.js";

const rules = {
  "no-nondeterministic-calls": noNondeterministicCalls,
  "no-timers": noTimers,
  "no-io-outside-steps": noIoOutsideSteps,
  "no-floating-durable-calls": noFloatingDurableCalls,
} satisfies Record<string, Rule.RuleModule>;

/** Endure's ESLint plugin: its rules by name, and the recommended flat config. */
export interface EndurePlugin extends ESLint.Plugin {
  rules: Record<keyof typeof rules, Rule.RuleModule>;
  configs: { recommended: Linter.Config };
}

/** The plugin, with `configs.recommended`: every rule as an error, under the prefix `endure/`. */
const plugin: EndurePlugin = {
  meta: { name: "endure/eslint-plugin" },
  rules,
  configs: {
    recommended: {
      name: "endure/recommended",
      plugins: {},
      rules: Object.fromEntries(Object.keys(rules).map((name) => [`endure/${name}`, "error"])),
    },
  },
};
// The config names the plugin it belongs to, so it can only be filled in once the plugin exists.
plugin.configs.recommended.plugins = { endure: plugin };

export default plugin;
