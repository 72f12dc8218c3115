import plugin from "../../src/eslint-plugin/index.js";
import { IMPORTS, ruleTester } from "./rule-tester.js";

const rule = plugin.rules["no-io-outside-steps"];
const io = (call: string) => ({
  message: `${call}() in a workflow body does I/O outside a step: it runs again on every replay and its result is not journaled; wrap it in a step (step(name, fn) from endure) and await that.`,
});
const FS = `import { readFile } from "node:fs/promises"; import fs from "fs"; import * as cp from "node:child_process"; import { get } from "https";\n`;

ruleTester.run("no-io-outside-steps", rule, {
  valid: [
    `${FS}${IMPORTS}const load = step("load", async (path: string) => [await readFile(path, "utf8"), fs.readFileSync(path), await fetch(path)]);
     export const w = workflow("w", async (path: string) => await load(path));`,
    // process.env is the worker's configuration, not I/O (reading it in a step would journal secrets).
    `${IMPORTS}export const w = workflow("w", async () => process.env.REGION ?? "eu");`,
    // A module's constants are not calls.
    `${FS}${IMPORTS}export const w = workflow("w", async () => fs.constants.R_OK);`,
    `${FS}const config = fs.readFileSync("config.json", "utf8");`,
  ],
  invalid: [
    { code: `${IMPORTS}export const w = workflow("w", async (url: string) => (await fetch(url)).json());`, errors: [io("fetch")] },
    { code: `${IMPORTS}export const w = workflow("w", async (url: string) => { const socket = new WebSocket(url); return socket; });`, errors: [io("WebSocket")] },
    {
      code: `${FS}${IMPORTS}export const w = workflow("w", async (path: string) => {
        const text = await readFile(path, "utf8");
        fs.writeFileSync(path, text);
        cp.execSync("ls");
        get(path);
      });`,
      errors: [io("readFile"), io("fs.writeFileSync"), io("cp.execSync"), io("get")],
    },
  ],
});
