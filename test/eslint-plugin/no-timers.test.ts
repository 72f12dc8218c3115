import plugin from "../../src/eslint-plugin/index.js";
import { IMPORTS, ruleTester } from "./rule-tester.js";

const rule = plugin.rules["no-timers"];
const timer = (call: string) => ({
  message: `${call}() in a workflow body is not durable: the timer dies with the worker and runs again on replay; use await sleep(duration) from endure (in a loop, for a repeating task).`,
});

ruleTester.run("no-timers", rule, {
  valid: [
    `${IMPORTS}export const w = workflow("w", async () => { await sleep("1h"); });`,
    // A step may wait in memory: it runs once, and its result is journaled.
    `${IMPORTS}const poll = step("poll", async () => { await new Promise((resolve) => setTimeout(resolve, 100)); });
     export const w = workflow("w", async () => { await poll(); });`,
    `${IMPORTS}function later(fn: () => void) { setTimeout(fn, 10); }`,
    `import { setTimeout as wait } from "node:timers/promises";\n${IMPORTS}const nap = step("nap", () => wait(5)); export const w = workflow("w", () => nap());`,
  ],
  invalid: [
    {
      code: `${IMPORTS}export const w = workflow("w", async () => { await new Promise((resolve) => setTimeout(resolve, 1000)); });`,
      errors: [timer("setTimeout")],
    },
    {
      code: `${IMPORTS}export const w = workflow("w", async () => { setInterval(() => {}, 5); setImmediate(() => {}); globalThis.setTimeout(() => {}); });`,
      errors: [timer("setInterval"), timer("setImmediate"), timer("globalThis.setTimeout")],
    },
    {
      code: `import { setTimeout as wait, scheduler } from "node:timers/promises"; import * as timers from "timers";\n${IMPORTS}
        export const w = workflow("w", async () => { await wait(5); await scheduler.wait(5); timers.setInterval(() => {}, 5); });`,
      errors: [timer("wait"), timer("scheduler.wait"), timer("timers.setInterval")],
    },
  ],
});
