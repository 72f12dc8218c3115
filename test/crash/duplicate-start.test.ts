import assert from "node:assert/strict";
import { test } from "node:test";
import { duplicateStart } from "./fixtures/duplicate-start.js";
import { FINISHED, openScene } from "./fixtures/scene.js";
import { openGate, readEffects, readExecutions } from "./fixtures/side-effects.js";

const CLIENTS = 4;

test("clients in different processes starting the same id get one run, whose steps run once", async () => {
  const scene = await openScene("duplicate-start");
  const { endure, processes, effects, dir } = scene;
  try {
    await processes.spawnWorker({ tag: "worker", workflows: ["duplicate-start"], lease: "500ms" });
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) =>
        processes.spawnClient({ tag: `client-${i}`, module: "duplicate-start", workflow: "duplicateStart", args: [`client-${i}`], id: "same", gate: "go" }),
      ),
    );
    openGate(dir, "go"); // all clients start() at once

    const started = await Promise.all(clients.map((client) => client.waitForEvent((event) => event.event === "started", "its start() to return")));
    const exits = await Promise.all(clients.map((client) => client.exited));
    assert.deepEqual(exits, clients.map(() => ({ code: 0, signal: null })), clients.map((client) => client.stderr).join("\n"));
    assert.deepEqual(started.map((event) => event.id), clients.map(() => "same"), "every client got the run with the id it asked for");
    // One input won, and every client sees that one.
    const input = started[0]!.input as string[];
    assert.ok(clients.some((client) => input[0] === client.tag), `input ${JSON.stringify(input)}`);
    for (const event of started) assert.deepEqual(event.input, input, `${event.tag as string} sees the same run`);

    const { runs } = await endure.list({ workflow: "duplicate-start" });
    assert.deepEqual(runs.map((run) => run.id), ["same"], "exactly one run");

    assert.equal(await scene.waitForStatus("same", FINISHED), "completed");
    const run = await endure.get("same");
    assert.deepEqual(run.input, input);
    assert.equal(run.output, `HELLO ${input[0]!.toUpperCase()}`);
    assert.deepEqual(run.journal.map((entry) => `${entry.name}:${entry.status}`), ["greet:completed", "shout:completed"]);

    // One execution of each step, one side effect each.
    assert.deepEqual(readExecutions(effects).map((row) => [row.key, row.count]), [["same:0", 1], ["same:1", 1]]);
    assert.deepEqual(readEffects(effects).map((row) => [row.key, row.label]), [["same:0", `greet ${input[0]}`], ["same:1", `shout hello ${input[0]}`]]);

    // Starting it again, once finished, still returns the same run, untouched.
    const again = await endure.start(duplicateStart, ["latecomer"], { id: "same" });
    assert.equal(again.id, "same");
    assert.equal(await again.result(), `HELLO ${input[0]!.toUpperCase()}`);
    assert.equal((await endure.list({ workflow: "duplicate-start" })).runs.length, 1, "still one run");
    assert.equal(readExecutions(effects).reduce((sum, row) => sum + row.count, 0), 2, "no step ran again");
  } finally {
    await scene.dispose();
  }
});
