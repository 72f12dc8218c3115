// The package as users get it: compiled JavaScript under dist/, reached through its name and
// "exports" (npm run build makes it; npm install and npm test run the build).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Endure, NonRetryableError, step, workflow } from "endure";
import { freshSchema, postgresOnly } from "../helpers/postgres.js";
import { tempDir } from "../helpers/temp-store.js";

const greet = step("greet", async (name: string) => `hello ${name}`);
const hello = workflow("package-hello", async (name: string) => await greet(name));

test("the built package runs a workflow on a new SQLite file", async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const endure = await Endure.open({ store: dir.url });
  t.after(() => endure.close());
  await endure.startWorker({ workflows: [hello] });
  const run = await endure.start(hello, ["npm"]);
  const result: string = await run.result();
  assert.equal(result, "hello npm");
  assert.equal(new NonRetryableError("x").code, "NON_RETRYABLE");
});

test("the built package runs a workflow on PostgreSQL (its migrations ship in dist)", postgresOnly, async (t) => {
  const schema = freshSchema();
  t.after(() => schema.drop());
  const endure = await Endure.open({ store: schema.url });
  t.after(() => endure.close());
  await endure.startWorker({ workflows: [hello] });
  assert.equal(await (await endure.start(hello, ["postgres"])).result(), "hello postgres");
});

test("the public types keep the workflow's argument and result types", () => {
  // Compile-time checks: `npm run typecheck` fails if these stop being errors.
  const typed = async (endure: Endure) => {
    // @ts-expect-error the workflow takes a string, not a number
    await endure.start(hello, [42]);
    // @ts-expect-error the workflow's result is a string
    const wrong: number = await (await endure.start(hello, ["x"])).result();
    return wrong;
  };
  const direct: (name: string) => Promise<string> = greet;
  assert.equal(typeof typed, "function");
  assert.equal(typeof direct, "function");
});
