// Time and randomness read in a workflow body differ on replay, so the run can take another branch
// than the one its journal recorded. Endure's now(), uuid() and random() journal the value instead.
import { forbiddenCallsRule } from "../forbidden-calls.js";

const KINDS: Record<string, string> = {
  "Date.now": "time",
  "Date": "time", // Date() called without new returns the current time as a string
  "performance.now": "time",
  "perf_hooks.performance.now": "time",
  "process.hrtime": "time",
  "process.hrtime.bigint": "time",
  "Math.random": "random",
  "crypto.randomInt": "random",
  "crypto.randomUUID": "uuid",
  "crypto.getRandomValues": "bytes",
  "crypto.randomBytes": "bytes",
};

export const noNondeterministicCalls = forbiddenCallsRule({
  description: "Disallow reading the time or random values in a workflow body, where replay would see other values.",
  messages: {
    time: "{{call}}() in a workflow body returns a different time on replay; use now() from endure, or read the time inside a step.",
    newDate: "new Date() in a workflow body is a different time on replay; use new Date(now()) with now() from endure, or read the time inside a step.",
    random: "{{call}}() in a workflow body returns a different number on replay; use random() from endure, or call it inside a step.",
    uuid: "{{call}}() in a workflow body returns a different id on replay; use uuid() from endure, or call it inside a step.",
    bytes: "{{call}}() in a workflow body returns different bytes on replay; call it inside a step, whose result is journaled, or use uuid() or random() from endure.",
  },
  classify(name, node) {
    if (node.type === "NewExpression") return name === "Date" && node.arguments.length === 0 ? "newDate" : undefined;
    return KINDS[name];
  },
});
