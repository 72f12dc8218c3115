// The test kit, `endure/testing`: a reviewed list of named exports.
export { createTestEnv, TestEnv } from "./test-env.js";
export type { TestEnvOptions } from "./test-env.js";
export type { FailStepOptions, StepMock } from "./step-faults.js";
export type { JournalRecord } from "./journal-view.js";
export { TestStalledError } from "./errors.js";
// The replay check, for a test that replays recorded runs against the current code.
export { checkReplay, parseRunExport } from "../index.js";
export type { ReplayReport, RunExport } from "../index.js";
