// Where a workflow body is: the function given to Endure's `workflow(name, fn)`, with every function
// defined inside it, except the bodies given to `step()`, `transaction()` and `steps({...})`, which
// run once and are journaled, so they may do anything. A function passed by name
// (`workflow("x", body)`) counts as much as one written in place.
import type { Rule } from "eslint";
import type * as ESTree from "estree";
import { canonicalName } from "./names.js";

type FunctionNode = ESTree.FunctionDeclaration | ESTree.FunctionExpression | ESTree.ArrowFunctionExpression;
type Role = "workflow" | "step" | "other";

const STEP_DEFINERS = new Set(["endure.step", "endure.transaction"]);

// A function's role depends only on its own file, so it is worked out once for all the rules.
const roles = new WeakMap<ESTree.Node, Role>();

/** Whether `node` runs as part of a workflow body (and not inside a step). */
export function isInWorkflowBody(context: Rule.RuleContext, node: Rule.Node): boolean {
  for (let current: Rule.Node | null = node.parent; current !== null; current = current.parent) {
    if (!isFunction(current)) continue;
    const role = roleOf(context, current);
    if (role !== "other") return role === "workflow";
  }
  return false;
}

function isFunction(node: ESTree.Node): node is FunctionNode {
  return node.type === "FunctionDeclaration" || node.type === "FunctionExpression" || node.type === "ArrowFunctionExpression";
}

function roleOf(context: Rule.RuleContext, fn: FunctionNode & Rule.NodeParentExtension): Role {
  let role = roles.get(fn);
  if (role === undefined) {
    role = usesOf(context, fn).map((use) => roleAt(context, use)).find((found) => found !== "other") ?? "other";
    roles.set(fn, role);
  }
  return role;
}

/** The function itself, and every place its name is used when it is declared or assigned to a const. */
function usesOf(context: Rule.RuleContext, fn: FunctionNode & Rule.NodeParentExtension): Rule.Node[] {
  const declaration = fn.type === "FunctionDeclaration" ? fn : fn.parent.type === "VariableDeclarator" ? fn.parent : undefined;
  const named = declaration === undefined ? [] : context.sourceCode.getDeclaredVariables(declaration);
  return [fn, ...named.flatMap((variable) => variable.references.map((reference) => reference.identifier as Rule.Node))];
}

/** What the call that `use` is handed to makes of it. */
function roleAt(context: Rule.RuleContext, use: Rule.Node): Role {
  const parent = use.parent;
  if (parent === null) return "other";
  if (parent.type === "CallExpression" && parent.arguments.includes(use as ESTree.Expression)) {
    const callee = canonicalName(context, parent.callee);
    if (callee === "endure.workflow" && parent.arguments[0] !== use) return "workflow";
    if (callee !== undefined && STEP_DEFINERS.has(callee)) return "step";
  }
  // steps({ name: fn, ... }): each property's value is a step body.
  const steps = parent.type === "Property" && parent.value === use ? parent.parent?.parent : undefined;
  if (steps?.type === "CallExpression" && canonicalName(context, steps.callee) === "endure.steps") return "step";
  return "other";
}
