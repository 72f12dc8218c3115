// A timer lives in the worker's memory: it dies with the worker, is not resumed by another, and runs
// again on replay. sleep() is a durable timer, written in the journal.
import { forbiddenCallsRule } from "../forbidden-calls.js";

const TIMERS = new Set(["setTimeout", "setInterval", "setImmediate"]);
const TIMER_MODULES = new Set(["timers", "timers/promises"]);

export const noTimers = forbiddenCallsRule({
  description: "Disallow setTimeout, setInterval, setImmediate and node:timers in a workflow body; use sleep().",
  messages: {
    timer: "{{call}}() in a workflow body is not durable: the timer dies with the worker and runs again on replay; use await sleep(duration) from endure (in a loop, for a repeating task).",
  },
  classify(name) {
    const [module, ...rest] = name.split(".");
    const member = rest.join(".");
    if (TIMERS.has(name)) return "timer";
    if (module !== undefined && TIMER_MODULES.has(module) && (TIMERS.has(member) || member === "scheduler.wait")) return "timer";
    return undefined;
  },
});
