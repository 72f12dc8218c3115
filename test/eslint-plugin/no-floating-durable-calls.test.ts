import plugin from "../../src/eslint-plugin/index.js";
import { IMPORTS, ruleTester } from "./rule-tester.js";

const rule = plugin.rules["no-floating-durable-calls"];
const dropped = (call: string) => ({
  message: `${call}() is not awaited in this workflow body: the workflow goes on without it, so the run can finish or suspend before it is done and its error is lost; add await (for calls in parallel, await Promise.all([...])).`,
});
const unused = (call: string, name: string) => ({
  message: `The promise of ${call}() is kept in '${name}' but never used: the workflow goes on without it; await it, or pass it to an awaited Promise.all([...]).`,
});
const DEFS = `${IMPORTS}const charge = step("charge", async (n: number) => n);
const bank = steps({ withdraw: async (n: number) => n });
const refund = transaction("refund", async (tx, n: number) => n);
const other = workflow("other", async (n: number) => n);
`;

ruleTester.run("no-floating-durable-calls", rule, {
  valid: [
    `${DEFS}export const w = workflow("w", async (items: number[]) => {
      await charge(1);
      await bank.withdraw(1);
      await refund(1);
      await other(1);
      await child(other, [2]);
      await sleep("1s");
      await Promise.all([charge(2), charge(3)]);
      await Promise.all(items.map((item) => charge(item)));
      const winner = await Promise.race([waitForEvent("approved"), sleep("1 day")]);
      const later = charge(4);
      const chained = charge(5).then((n) => n + 1);
      await saga(async () => { await charge(6); });
      await Promise.all([later, chained]);
      return winner ?? charge(7);
    });`,
    // A step body is not a workflow body: what it drops is its own business (and ordinary lint's).
    `${DEFS}const outer = step("outer", async () => { charge(1); });
     export const w = workflow("w", async () => { await outer(); });`,
    // Outside a workflow body, and calls not known to be durable.
    `${DEFS}charge(1);
     export const w = workflow("w", async () => { console.log("x"); [1, 2].map((n) => n + 1); });`,
    // A name given in durableFunctions is checked only where it is used that way.
    { code: `${IMPORTS}import { withdraw } from "./steps.js";\nexport const w = workflow("w", async () => { await withdraw(1); });`, options: [{ durableFunctions: ["withdraw"] }] },
  ],
  invalid: [
    { code: `${DEFS}export const w = workflow("w", async () => { charge(1); });`, errors: [dropped("charge")] },
    { code: `${DEFS}export const w = workflow("w", async () => { sleep("1s"); });`, errors: [dropped("sleep")] },
    { code: `${DEFS}export const w = workflow("w", async () => { void waitForEvent("go"); });`, errors: [dropped("waitForEvent")] },
    { code: `${DEFS}export const w = workflow("w", async () => { bank.withdraw(1); refund(2); });`, errors: [dropped("bank.withdraw"), dropped("refund")] },
    // A workflow definition called in a workflow body is a child run; so is child().
    { code: `${DEFS}export const w = workflow("w", async () => { other(1); child(other, [2]); });`, errors: [dropped("other"), dropped("child")] },
    // One report for a dropped Promise.all, however many durable calls it holds.
    { code: `${DEFS}export const w = workflow("w", async () => { Promise.all([charge(1), charge(2)]); });`, errors: [{ ...dropped("charge"), line: 6, column: 46 }] },
    { code: `${DEFS}export const w = workflow("w", async (items: number[]) => { items.map((item) => charge(item)); });`, errors: [dropped("charge")] },
    { code: `${DEFS}export const w = workflow("w", async () => { charge(1).then(() => charge(2)); });`, errors: [dropped("charge")] },
    { code: `${DEFS}export const w = workflow("w", async () => { const pending = charge(1); return 2; });`, errors: [unused("charge", "pending")] },
    // Inside a helper defined in the body, through renamed and namespace imports.
    {
      code: `import * as endure from "endure"; import { sleep as pause } from "endure";
        export const w = endure.workflow("w", async () => {
          const wait = async () => { pause(5); endure.waitForEvent("go"); };
          await wait();
        });`,
      errors: [{ ...dropped("pause"), line: 3 }, { ...dropped("endure.waitForEvent"), line: 3 }],
    },
    // Steps imported from another file, named in the options.
    {
      code: `${IMPORTS}import { withdraw } from "./steps.js";\nexport const w = workflow("w", async () => { withdraw(1); });`,
      options: [{ durableFunctions: ["withdraw"] }],
      errors: [dropped("withdraw")],
    },
  ],
});
