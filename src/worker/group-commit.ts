import { LeaseLostError } from "../api/errors.js";
import type { CommitDone, Committable } from "../engine/host.js";
import { Batcher } from "../store/batcher.js";
import type { Store } from "../store/store.js";

/**
 * Group commit: every run that asks for a commit during one event-loop turn, or while the previous
 * commit is in flight, shares the next transaction. Each caller resumes only once its own writes
 * are durable; a run whose lease was taken over gets `LeaseLostError` and nothing of it is written.
 */
export class GroupCommitter {
  private readonly batcher: Batcher<Committable, boolean>;

  constructor(store: Store, workerId: string) {
    // A run's writes are taken when its batch is written, so all it buffered until then goes in.
    // No cap: a run's commit must never wait a batch behind the commits it follows.
    this.batcher = new Batcher((runs) => store.commit(workerId, runs.map((run) => run.takeCommit())), Infinity);
  }

  commit(run: Committable, done: CommitDone): void {
    this.batcher.add(run, (error, applied) => done(error !== undefined ? error : applied ? undefined : new LeaseLostError(run.runId)));
  }
}
