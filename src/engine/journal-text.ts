import type { EntryKind } from "../store/store.js";

/** How a durable call reads in messages: `step "withdraw"`, `sleep`, `waitForEvent("approval")`, `uuid()`. */
export function describeCall(call: { kind: EntryKind; name: string }): string {
  switch (call.kind) {
    case "step":
      return `step "${call.name}"`;
    case "event":
      return `waitForEvent("${call.name}")`;
    case "sleep":
      return "sleep()";
    case "patch":
      return `patched("${call.name}")`;
    case "subscribe":
      return `subscribe("${call.name}")`;
    default:
      return `${call.kind}()`;
  }
}
