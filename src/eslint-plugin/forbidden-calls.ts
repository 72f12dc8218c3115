// The shape shared by the rules that forbid some calls in workflow bodies: each call (or `new`) is
// named canonically (see names.ts), classified, and reported with the message of its class.
import type { Rule } from "eslint";
import type * as ESTree from "estree";
import { canonicalName } from "./names.js";
import { isInWorkflowBody } from "./workflow-body.js";

export interface ForbiddenCalls {
  description: string;
  /** Message templates by id; `{{call}}` is the callee as written. */
  messages: Record<string, string>;
  /** The message id for a call of `name`, or undefined when the call is fine. */
  classify(name: string, node: ESTree.CallExpression | ESTree.NewExpression): string | undefined;
}

export function forbiddenCallsRule({ description, messages, classify }: ForbiddenCalls): Rule.RuleModule {
  return {
    meta: { type: "problem", docs: { description }, messages, schema: [] },
    create(context) {
      const check = (node: (ESTree.CallExpression | ESTree.NewExpression) & Rule.NodeParentExtension): void => {
        const name = canonicalName(context, node.callee);
        const messageId = name === undefined ? undefined : classify(name, node);
        if (messageId === undefined || !isInWorkflowBody(context, node)) return;
        context.report({ node, messageId, data: { call: context.sourceCode.getText(node.callee) } });
      };
      return { CallExpression: check, NewExpression: check };
    },
  };
}
