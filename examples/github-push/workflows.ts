import { type LoggedEvent, step, trigger, webhook, workflow } from "../../src/index.js";

/** The parts of GitHub's push event payload this example reads. */
export interface PushEvent {
  ref: string;
  after: string;
  deleted: boolean;
  repository: { full_name: string };
  pusher: { name: string };
  head_commit: { message: string; modified: string[] } | null;
}

/**
 * GitHub's webhook: `POST /webhooks/github`. Each delivery is recorded as `github.<event>` (from the
 * X-GitHub-Event header: `github.push`, `github.ping`, ...), its X-Hub-Signature-256 checked against
 * the secret set in the repository's webhook settings, and a redelivery (same X-GitHub-Delivery)
 * recorded once.
 */
export const github = webhook("github", {
  typeHeader: "X-GitHub-Event",
  signature: { secret: process.env.GITHUB_WEBHOOK_SECRET! },
  deliveryHeader: "X-GitHub-Delivery",
});

// The outside world, as steps: in a real app a checkout, a test runner and GitHub's status API.
const checkout = step("checkout", async (repo: string, sha: string) => ({ repo, sha, path: `/tmp/ci/${repo}/${sha.slice(0, 7)}` }));
const runTests = step("run-tests", async (path: string, changed: string[]) => ({ path, suites: changed.length, passed: true }));
const reportStatus = step("report-status", async (repo: string, sha: string, state: "success" | "failure") => ({ repo, sha, state }));

/** Checks a pushed commit: checks it out, runs the tests, reports the result on the commit. */
export const checkPush = workflow("check-push", async (push: LoggedEvent<PushEvent>) => {
  const { repository, after, head_commit } = push.payload;
  const tree = await checkout(repository.full_name, after);
  const tests = await runTests(tree.path, head_commit?.modified ?? []);
  return await reportStatus(repository.full_name, after, tests.passed ? "success" : "failure");
});

/** Every push to main (not a branch deletion) starts one check, however often GitHub redelivers it. */
export const checkMain = trigger<PushEvent>("check-main", {
  event: "github.push",
  workflow: checkPush,
  filter: (event) => event.payload.ref === "refs/heads/main" && !event.payload.deleted,
});
