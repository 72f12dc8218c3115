import { EndureError } from "../index.js";

/** A command-line argument that must be JSON is not. Nothing was written. */
export class InvalidJsonError extends EndureError {
  constructor(what: string, parseMessage: string, example: string) {
    super("INVALID_JSON", `Invalid JSON for ${what}: ${parseMessage}. Pass JSON in single quotes, e.g. ${example}.`);
  }
}

export type WorkflowFileProblem = "WORKFLOW_FILE_NOT_FOUND" | "WORKFLOW_FILE_INVALID" | "NO_WORKFLOWS";

/** The workflow file given to `endure worker` or `endure dev` cannot be used: missing, not compiling, or exporting no workflow. */
export class WorkflowFileError extends EndureError {
  readonly file: string;

  constructor(code: WorkflowFileProblem, file: string, message: string) {
    super(code, message);
    this.file = file;
  }
}
