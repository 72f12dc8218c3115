// I/O in a workflow body runs again on every replay and its result is not journaled, so a replay can
// see another answer than the first run did. In a step it runs until it succeeds once, and its
// result is returned from the journal after that.
//
// process.env is not flagged: it is the worker's configuration, fixed for the life of the process
// like any module-level constant, and reading a secret in a step would write it into the journal.
import { forbiddenCallsRule } from "../forbidden-calls.js";

const IO_GLOBALS = new Set(["fetch", "XMLHttpRequest", "WebSocket", "EventSource"]);
const IO_MODULES = new Set([
  "fs", "fs/promises", "http", "https", "http2", "net", "tls", "dgram", "dns", "dns/promises", "child_process",
]);

export const noIoOutsideSteps = forbiddenCallsRule({
  description: "Disallow network, file and process I/O in a workflow body outside a step.",
  messages: {
    io: "{{call}}() in a workflow body does I/O outside a step: it runs again on every replay and its result is not journaled; wrap it in a step (step(name, fn) from endure) and await that.",
  },
  classify(name) {
    const module = name.split(".")[0] ?? name;
    return IO_GLOBALS.has(name) || (name !== module && IO_MODULES.has(module)) ? "io" : undefined;
  },
});
