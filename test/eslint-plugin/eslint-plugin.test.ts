// What a user's CI sees: ESLint's Node API with the recommended config of the built package
// ("endure/eslint-plugin", through package.json's exports), on a real file.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { ESLint } from "eslint";
import endure from "endure/eslint-plugin";
import tseslint from "typescript-eslint";

test("the recommended config reports what breaks replay in a workflow file, with line, rule and advice", async () => {
  const eslint = new ESLint({
    cwd: join(import.meta.dirname, "fixtures"),
    overrideConfigFile: true,
    overrideConfig: [{ files: ["**/*.ts"], languageOptions: { parser: tseslint.parser } }, endure.configs.recommended],
  });
  const [result] = await eslint.lintFiles(["order-workflow.ts"]);
  assert.ok(result);
  const findings = result.messages.map(({ line, ruleId, message }) => ({ line, ruleId, message }));
  assert.deepEqual(findings, [
    {
      line: 11,
      ruleId: "endure/no-nondeterministic-calls",
      message: "Date.now() in a workflow body returns a different time on replay; use now() from endure, or read the time inside a step.",
    },
    {
      line: 12,
      ruleId: "endure/no-io-outside-steps",
      message: "readFile() in a workflow body does I/O outside a step: it runs again on every replay and its result is not journaled; wrap it in a step (step(name, fn) from endure) and await that.",
    },
    {
      line: 13,
      ruleId: "endure/no-timers",
      message: "setTimeout() in a workflow body is not durable: the timer dies with the worker and runs again on replay; use await sleep(duration) from endure (in a loop, for a repeating task).",
    },
    {
      line: 14,
      ruleId: "endure/no-floating-durable-calls",
      message: "charge() is not awaited in this workflow body: the workflow goes on without it, so the run can finish or suspend before it is done and its error is lost; add await (for calls in parallel, await Promise.all([...])).",
    },
  ]);
  assert.equal(result.errorCount, 4);
});

test("every rule of the plugin is in the recommended config", () => {
  const recommended = Object.keys(endure.configs.recommended.rules ?? {});
  assert.deepEqual(recommended, Object.keys(endure.rules).map((name) => `endure/${name}`));
  assert.equal(endure.configs.recommended.plugins?.["endure"], endure);
});
