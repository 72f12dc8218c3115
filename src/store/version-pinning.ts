/**
 * Version pinning: which runs a worker may claim, by the version of its code.
 *
 * A run is pinned to one version (`RunRecord.version`) once a versioned worker first claims it (or
 * creates it claimed); from then on only workers that serve that version claim it, so a journal is
 * only ever replayed by code that can replay it. A run not pinned yet (`null`) is claimed by any
 * worker of its workflow. An operator may re-pin a failed or blocked run (`RetryStore.retryRun`).
 */
export interface ServedVersions {
  /** The version of the worker's code; null for an unversioned worker (it claims unpinned runs only). */
  version: string | null;
  /** Older versions whose runs the worker's code can still replay. */
  compatibleWith: readonly string[];
}

/** The pinned versions whose runs a worker claims, besides the unpinned ones (none for an unversioned worker). */
export function servedVersions({ version, compatibleWith = [] }: Partial<ServedVersions>): string[] {
  return version === null || version === undefined ? [] : [version, ...compatibleWith];
}

/** Whether a worker may claim a run pinned to `runVersion` (null: not pinned). */
export function serves(worker: Partial<ServedVersions>, runVersion: string | null): boolean {
  return runVersion === null || servedVersions(worker).includes(runVersion);
}
