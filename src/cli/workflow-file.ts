import { existsSync } from "node:fs";
import { relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { register } from "tsx/esm/api";
import { isWorkflowDefinition, type QueueDefinition, type TriggerDefinition, type WebhookDefinition, type WorkflowDefinition } from "../index.js";
import { WorkflowFileError } from "./errors.js";

/** What a workflow file exports for a worker. */
export interface WorkflowFile {
  /** The file's absolute path. */
  path: string;
  workflows: WorkflowDefinition[];
  queues: QueueDefinition[];
  triggers: TriggerDefinition[];
  webhooks: WebhookDefinition[];
}

let registered = false;

/**
 * Imports the user's TypeScript (or JavaScript) file, compiled on the fly by tsx, and finds the
 * workflow, queue, trigger and webhook definitions it exports.
 *
 * tsx is registered for the whole process rather than through `tsImport`: a namespaced import
 * gives every module it loads a URL of its own, so the file's `import "endure"` would get a second
 * copy of the library, whose steps would not see the run the worker of this copy executes.
 */
export async function loadWorkflowFile(file: string): Promise<WorkflowFile> {
  const { path, shown } = existingFile(file);
  if (!registered) {
    register();
    registered = true;
  }
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new WorkflowFileError("WORKFLOW_FILE_INVALID", shown, loadFailure(shown, error));
  }
  const values = Object.values(exports);
  const workflows = [...new Set(values.filter(isWorkflowDefinition))];
  const queues = [...new Set(values.filter(isOfKind<QueueDefinition>("queue")))];
  const triggers = [...new Set(values.filter(isOfKind<TriggerDefinition>("trigger")))];
  const webhooks = [...new Set(values.filter(isOfKind<WebhookDefinition>("webhook")))];
  if (workflows.length === 0) {
    throw new WorkflowFileError(
      "NO_WORKFLOWS",
      shown,
      `${shown} exports no workflow. Export each workflow the worker should run, e.g. export const transfer = workflow("transfer", async (...) => { ... }).`,
    );
  }
  return { path, workflows, queues, triggers, webhooks };
}

/** The file's absolute path and the path to show (relative to the working directory), or WORKFLOW_FILE_NOT_FOUND. */
export function existingFile(file: string): { path: string; shown: string } {
  const path = resolve(file);
  const shown = relative(process.cwd(), path) || path;
  if (!existsSync(path)) {
    throw new WorkflowFileError("WORKFLOW_FILE_NOT_FOUND", shown, `The workflow file ${shown} does not exist. Check the path (relative to ${process.cwd()}).`);
  }
  return { path, shown };
}

function isOfKind<T extends { kind: string }>(kind: T["kind"]): (value: unknown) => value is T {
  return (value): value is T => typeof value === "object" && value !== null && (value as Partial<T>).kind === kind;
}

/** One line: esbuild's first error with its location, or what the module threw while loading. */
function loadFailure(shown: string, error: unknown): string {
  if (!(error instanceof Error)) return `${shown} failed to load: ${String(error)}`;
  if (error.name === "TransformError") {
    // "Transform failed with 1 error:\n/abs/file.ts:3:12: ERROR: Unexpected ";""
    const first = error.message.split("\n")[1] ?? error.message;
    const where = first.replace(/^(.*?):(\d+):(\d+): ERROR: /, (_, file: string, line: string, column: string) => `${relative(process.cwd(), file) || file}:${line}:${column}: `);
    return `${shown} does not compile: ${where}`;
  }
  const code = (error as { code?: unknown }).code;
  if (code === "ERR_PACKAGE_PATH_NOT_EXPORTED" || code === "ERR_REQUIRE_ESM" || code === "ERR_REQUIRE_CYCLE_MODULE") {
    return `${shown} was loaded as CommonJS, and the endure package is ESM only. Add "type": "module" to your package.json, or name the file .mts.`;
  }
  return `${shown} failed to load: ${error.name === "Error" ? "" : `${error.name}: `}${firstLine(error.message)}`;
}

const firstLine = (text: string): string => text.split("\n")[0] ?? text;
