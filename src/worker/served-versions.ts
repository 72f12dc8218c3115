import { InvalidArgumentError } from "../api/errors.js";
import { validateVersion } from "../api/validate.js";
import type { ServedVersions } from "../store/version-pinning.js";

/** The versions a worker serves, from `startWorker()`'s `version` and `compatibleWith`, checked. */
export function servedVersionsOf(options: { version?: unknown; compatibleWith?: unknown }): ServedVersions {
  const { version, compatibleWith } = options;
  if (version === undefined) {
    if (compatibleWith !== undefined) {
      throw new InvalidArgumentError(
        "startWorker(): compatibleWith needs a version: give the version of this worker's code too, e.g. " +
          '{ version: "2026-11-26.1", compatibleWith: ["2026-11-20.3"] }.',
      );
    }
    return { version: null, compatibleWith: [] };
  }
  const own = validateVersion(version, "startWorker(): version");
  if (compatibleWith === undefined) return { version: own, compatibleWith: [] };
  if (!Array.isArray(compatibleWith)) {
    throw new InvalidArgumentError(`startWorker(): compatibleWith must be a list of older versions, e.g. ["2026-11-20.3"]; got ${typeof compatibleWith}.`);
  }
  const older = compatibleWith.map((entry: unknown, index) => validateVersion(entry, `startWorker(): compatibleWith[${index}]`));
  return { version: own, compatibleWith: [...new Set(older.filter((entry) => entry !== own))] };
}
