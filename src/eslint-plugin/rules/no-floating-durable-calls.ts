// A durable call whose promise is dropped lets the workflow go on without it: the run can finish or
// suspend while it is still pending, and an error it throws is lost. Syntactic, so it needs no type
// information: it knows Endure's own durable functions and the steps, transactions and workflows
// defined in the same file; `durableFunctions` names more (steps imported from another file).
import type { Rule } from "eslint";
import type * as ESTree from "estree";
import { canonicalName, findVariable, propertyName } from "../names.js";
import { isInWorkflowBody } from "../workflow-body.js";

const DURABLE_API = new Set(["endure.sleep", "endure.waitForEvent", "endure.subscribe", "endure.child", "endure.saga", "endure.continueAsNew"]);
const DURABLE_DEFINERS = new Set(["endure.step", "endure.transaction", "endure.workflow"]);
const COMBINATORS = new Set(["Promise.all", "Promise.allSettled", "Promise.race", "Promise.any"]);
const CHAINING = new Set(["then", "catch", "finally"]);
// Wrappers a promise passes through unchanged (TypeScript's are not in ESTree's types).
const TRANSPARENT = new Set(["ChainExpression", "TSAsExpression", "TSNonNullExpression", "TSSatisfiesExpression", "LogicalExpression"]);

type Node = Rule.Node;

export const noFloatingDurableCalls: Rule.RuleModule = {
  meta: {
    type: "problem",
    docs: { description: "Require durable calls (steps, sleep, waitForEvent, child runs) in a workflow body to be awaited." },
    messages: {
      dropped: "{{call}}() is not awaited in this workflow body: the workflow goes on without it, so the run can finish or suspend before it is done and its error is lost; add await (for calls in parallel, await Promise.all([...])).",
      unused: "The promise of {{call}}() is kept in '{{name}}' but never used: the workflow goes on without it; await it, or pass it to an awaited Promise.all([...]).",
    },
    schema: [{
      type: "object",
      properties: { durableFunctions: { type: "array", items: { type: "string" } } },
      additionalProperties: false,
    }],
  },
  create(context) {
    const options = (context.options[0] ?? {}) as { durableFunctions?: string[] };
    const named = new Set(options.durableFunctions ?? []);
    const reported = new Set<Node>();
    return {
      CallExpression(call) {
        if (!isDurableCall(context, call, named) || !isInWorkflowBody(context, call)) return;
        const fate = fateOf(call);
        if (fate === undefined || reported.has(fate.node)) return;
        reported.add(fate.node);
        const data = { call: context.sourceCode.getText(call.callee) };
        if (fate.kind === "dropped") {
          context.report({ node: fate.node, messageId: "dropped", data });
        } else {
          const unused = context.sourceCode.getDeclaredVariables(fate.node).find((variable) => !variable.references.some((reference) => reference.isRead()));
          if (unused !== undefined) context.report({ node: fate.node, messageId: "unused", data: { ...data, name: unused.name } });
        }
      },
    };
  },
};

function isDurableCall(context: Rule.RuleContext, call: ESTree.CallExpression, named: Set<string>): boolean {
  const { callee } = call;
  const name = canonicalName(context, callee);
  if (name !== undefined && DURABLE_API.has(name)) return true;
  if (named.has(context.sourceCode.getText(callee))) return true;
  if (callee.type === "Identifier") return DURABLE_DEFINERS.has(definerOf(context, callee) ?? "");
  // A member of steps({...}): `bank.withdraw(...)`.
  return callee.type === "MemberExpression" && callee.object.type === "Identifier" && definerOf(context, callee.object) === "endure.steps";
}

/** The Endure function whose result `id` holds, as in `const id = step(...)`. */
function definerOf(context: Rule.RuleContext, id: ESTree.Identifier): string | undefined {
  const definition = findVariable(context, id, id.name)?.defs[0];
  if (definition?.type !== "Variable") return undefined;
  const init = definition.node.init;
  return init?.type === "CallExpression" ? canonicalName(context, init.callee) : undefined;
}

/**
 * Follows a durable call's promise up through what passes it on (Promise.all, .then, .map's
 * callback, conditionals) to where it ends: dropped in a statement or by `void`, or kept in a
 * variable (the caller checks that the variable is used). Anything else uses it.
 */
function fateOf(call: Node): { kind: "dropped" | "kept"; node: Node } | undefined {
  let current = call;
  for (;;) {
    const parent = current.parent;
    if (parent === null) return undefined;
    if (parent.type === "ExpressionStatement") return { kind: "dropped", node: current };
    if (parent.type === "UnaryExpression") return parent.operator === "void" ? { kind: "dropped", node: parent } : undefined;
    if (parent.type === "VariableDeclarator") return parent.init === current && parent.id.type === "Identifier" ? { kind: "kept", node: parent } : undefined;
    const next = passedOnTo(current, parent);
    if (next === undefined) return undefined;
    current = next;
  }
}

/** The expression that carries `current`'s promise on, when `parent` passes it on. */
function passedOnTo(current: Node, parent: Node): Node | undefined {
  if (TRANSPARENT.has(parent.type)) return parent;
  if (parent.type === "ConditionalExpression") return parent.test === current ? undefined : parent;
  if (parent.type === "SequenceExpression") return parent.expressions.at(-1) === current ? parent : undefined;
  // promise.then(...), .catch(...), .finally(...)
  if (parent.type === "MemberExpression" && parent.object === current && CHAINING.has(propertyName(parent) ?? "")) {
    const chained = parent.parent;
    return chained?.type === "CallExpression" && chained.callee === parent ? chained : undefined;
  }
  // Promise.all([call, ...]) and Promise.all(items.map(...)).
  if (parent.type === "ArrayExpression") return isCombinator(parent.parent) ? parent.parent : undefined;
  if (parent.type === "CallExpression" && parent.arguments[0] === current && isCombinator(parent)) return parent;
  // items.map((item) => call(item))
  if (parent.type === "ArrowFunctionExpression" && parent.body === current) {
    const map = parent.parent;
    const isMap = map?.type === "CallExpression" && map.arguments[0] === parent && map.callee.type === "MemberExpression" && propertyName(map.callee) === "map";
    return isMap ? map : undefined;
  }
  return undefined;
}

function isCombinator(node: Node | null): boolean {
  if (node?.type !== "CallExpression" || node.callee.type !== "MemberExpression") return false;
  const { object } = node.callee;
  return object.type === "Identifier" && object.name === "Promise" && COMBINATORS.has(`Promise.${propertyName(node.callee) ?? ""}`);
}
