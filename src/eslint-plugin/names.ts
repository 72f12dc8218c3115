// What a callee refers to, as a canonical dotted name that is the same for a global and an import:
// `crypto.randomUUID()`, `globalThis.crypto.randomUUID()` and `randomUUID()` imported from
// "node:crypto" are all "crypto.randomUUID"; `workflow` imported from Endure (under any local name,
// or through `import * as endure`) is "endure.workflow". Purely syntactic: no type information.
import type { Rule, Scope } from "eslint";
import type * as ESTree from "estree";

/** The import sources that mean Endure, from `settings.endure.modules` (default: "endure"). */
export function endureModules(context: Rule.RuleContext): readonly string[] {
  const settings = context.settings["endure"] as { modules?: unknown } | undefined;
  const modules = settings?.modules;
  return Array.isArray(modules) && modules.every((module) => typeof module === "string") ? modules : ["endure"];
}

/** The variable `name` refers to at `node`, or undefined for an undeclared global. */
export function findVariable(context: Rule.RuleContext, node: ESTree.Node, name: string): Scope.Variable | undefined {
  for (let scope: Scope.Scope | null = context.sourceCode.getScope(node); scope !== null; scope = scope.upper) {
    const variable = scope.set.get(name);
    if (variable !== undefined) return variable;
  }
  return undefined;
}

/** The canonical dotted name of `node`, or undefined when it is a local value or not a plain name. */
export function canonicalName(context: Rule.RuleContext, node: ESTree.Node): string | undefined {
  if (node.type === "Identifier") return identifierName(context, node);
  if (node.type !== "MemberExpression") return undefined;
  const property = propertyName(node);
  const object = canonicalName(context, node.object);
  if (property === undefined || object === undefined) return undefined;
  return object === "globalThis" ? property : `${object}.${property}`;
}

/** The name of a member access's property: `a.b` and `a["b"]` give "b". */
export function propertyName(node: ESTree.MemberExpression): string | undefined {
  if (!node.computed && node.property.type === "Identifier") return node.property.name;
  if (node.property.type === "Literal" && typeof node.property.value === "string") return node.property.value;
  return undefined;
}

function identifierName(context: Rule.RuleContext, node: ESTree.Identifier): string | undefined {
  const variable = findVariable(context, node, node.name);
  // A global: undeclared, or declared by the environment (languageOptions.globals) with no definition.
  if (variable === undefined || variable.defs.length === 0) return node.name;
  const definition = variable.defs[0];
  if (definition?.type !== "ImportBinding") return undefined;
  const source = (definition.parent as ESTree.ImportDeclaration).source.value;
  if (typeof source !== "string") return undefined;
  const module = endureModules(context).includes(source) ? "endure" : source.replace(/^node:/, "");
  const specifier = definition.node as ESTree.ImportSpecifier | ESTree.ImportDefaultSpecifier | ESTree.ImportNamespaceSpecifier;
  if (specifier.type !== "ImportSpecifier") return module; // a namespace or default import: the module itself
  const imported = specifier.imported.type === "Identifier" ? specifier.imported.name : String(specifier.imported.value);
  return `${module}.${imported}`;
}

