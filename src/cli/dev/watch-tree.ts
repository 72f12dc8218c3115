import { type FSWatcher, readdirSync, statSync, watch } from "node:fs";
import { join, relative } from "node:path";

/** Directories whose changes are not the user's code: dependencies, Endure's own store, build output, git. */
const IGNORED = new Set(["node_modules", ".endure", "dist", ".git"]);
/** The files that make up code: not a SQLite store beside them (written by every step), logs or editors' swap files. */
const SOURCE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|json)$/;
const DEBOUNCE_MS = 150;

/**
 * Calls `onChange` once per burst of changes to source files under `root` (an editor's save is
 * often several events), with the last path changed, relative to the working directory. Returns a
 * function that stops watching.
 *
 * Each directory is watched on its own rather than with `{ recursive: true }`: on Linux, Node 20's
 * recursive watch follows files, and loses a file that an editor saves by replacing it (write a
 * copy, rename it over the original); a directory's watch sees every save of every file in it.
 */
export function watchTree(root: string, onChange: (file: string) => void): () => void {
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;

  const changed = (path: string) => {
    clearTimeout(timer);
    timer = setTimeout(() => onChange(relative(process.cwd(), path) || path), DEBOUNCE_MS);
  };

  const add = (dir: string) => {
    if (watchers.has(dir)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, (_event, name) => {
        if (name === null || IGNORED.has(name)) return;
        const path = join(dir, name);
        if (isDirectory(path)) add(path);
        else if (SOURCE.test(name)) changed(path);
      });
    } catch {
      return; // removed meanwhile
    }
    watcher.on("error", () => {
      watcher.close();
      watchers.delete(dir);
    });
    watchers.set(dir, watcher);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && !IGNORED.has(entry.name)) add(join(dir, entry.name));
    }
  };

  add(root);
  return () => {
    clearTimeout(timer);
    for (const watcher of watchers.values()) watcher.close();
    watchers.clear();
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
