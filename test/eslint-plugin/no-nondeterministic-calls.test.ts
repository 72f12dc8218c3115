import plugin from "../../src/eslint-plugin/index.js";
import { IMPORTS, ruleTester } from "./rule-tester.js";

const rule = plugin.rules["no-nondeterministic-calls"];
const time = (call: string) => ({
  message: `${call}() in a workflow body returns a different time on replay; use now() from endure, or read the time inside a step.`,
});
const random = (call: string) => ({
  message: `${call}() in a workflow body returns a different number on replay; use random() from endure, or call it inside a step.`,
});
const uuid = (call: string) => ({
  message: `${call}() in a workflow body returns a different id on replay; use uuid() from endure, or call it inside a step.`,
});
const newDate = {
  message: "new Date() in a workflow body is a different time on replay; use new Date(now()) with now() from endure, or read the time inside a step.",
};

ruleTester.run("no-nondeterministic-calls", rule, {
  valid: [
    // Outside any workflow body: module level, plain functions.
    `${IMPORTS}const startedAt = Date.now(); function roll() { return Math.random(); }`,
    // Step bodies may do anything, also when defined inside the workflow body.
    `${IMPORTS}const stamp = step("stamp", async () => Date.now());
     export const w = workflow("w", async () => {
       const roll = step("roll", async () => Math.random());
       return [await stamp(), await roll()];
     });`,
    `${IMPORTS}const bank = steps({ id: async () => crypto.randomUUID() });
     const save = transaction("save", async (tx) => new Date());
     export const w = workflow("w", async () => { await bank.id(); await save(); });`,
    // The deterministic forms.
    `${IMPORTS}export const w = workflow("w", async (at: string) => [new Date(now()), new Date(at), Date.parse(at)]);`,
    // A local value named like a global is not the global.
    `${IMPORTS}export const w = workflow("w", async () => { const Math = { random: () => 4 }; return Math.random(); });`,
    // Another library's workflow() is not Endure's.
    `import { workflow } from "some-other-engine"; workflow("w", async () => Date.now());`,
  ],
  invalid: [
    { code: `${IMPORTS}export const w = workflow("w", async () => Date.now());`, errors: [time("Date.now")] },
    { code: `${IMPORTS}export const w = workflow("w", async () => { const d = new Date(); return d; });`, errors: [newDate] },
    { code: `${IMPORTS}export const w = workflow("w", async () => Date());`, errors: [time("Date")] },
    { code: `${IMPORTS}export const w = workflow("w", async () => performance.now());`, errors: [time("performance.now")] },
    // A helper defined inside the body runs as part of it.
    {
      code: `${IMPORTS}export const w = workflow("w", async (n: number) => {
        const pick = (items: string[]) => items[Math.floor(Math.random() * items.length)];
        return pick(["a", "b"]);
      });`,
      errors: [random("Math.random")],
    },
    {
      code: `${IMPORTS}export const w = workflow("w", async () => [crypto.randomUUID(), globalThis.crypto.randomUUID()]);`,
      errors: [uuid("crypto.randomUUID"), uuid("globalThis.crypto.randomUUID")],
    },
    {
      code: `import { randomUUID as id } from "node:crypto"; import * as c from "crypto";\n${IMPORTS}
        export const w = workflow("w", async () => [id(), c.randomInt(6)]);`,
      errors: [uuid("id"), random("c.randomInt")],
    },
    {
      code: `${IMPORTS}export const w = workflow("w", async () => crypto.getRandomValues(new Uint8Array(4)));`,
      errors: [{ message: "crypto.getRandomValues() in a workflow body returns different bytes on replay; call it inside a step, whose result is journaled, or use uuid() or random() from endure." }],
    },
    // Renamed and namespace imports of Endure, options after the body, a body passed by name.
    { code: `import { workflow as wf } from "endure"; export const w = wf("w", async () => Date.now(), { description: "d" });`, errors: [time("Date.now")] },
    { code: `import * as endure from "endure"; export const w = endure.workflow("w", async () => Math.random());`, errors: [random("Math.random")] },
    { code: `${IMPORTS}async function body() { return Date.now(); }\nexport const w = workflow("w", body);`, errors: [time("Date.now")] },
    { code: `${IMPORTS}const body = async () => Date.now();\nexport const w = workflow("w", body);`, errors: [time("Date.now")] },
    // A saga body is part of the workflow body; a step inside it is not.
    {
      code: `${IMPORTS}export const w = workflow("w", async () => saga(async () => {
        const ok = step("ok", async () => Date.now());
        await ok();
        return Date.now();
      }));`,
      errors: [{ ...time("Date.now"), line: 5 }],
    },
    // settings.endure.modules: Endure imported by another path (as this repository's examples do).
    {
      code: `import { workflow } from "../../src/index.js"; export const w = workflow("w", async () => Date.now());`,
      settings: { endure: { modules: ["../../src/index.js"] } },
      errors: [time("Date.now")],
    },
  ],
});
