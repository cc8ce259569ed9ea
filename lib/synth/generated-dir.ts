import * as fs from "fs";
import * as path from "path";
import { MARKER_FILE, ReleaseFile } from "../release/release-files";

/** The generated directory cannot be written without destroying something synthesis does not own. */
export class GeneratedDirectoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GeneratedDirectoryError";
  }
}

/** New contents of a generated directory, written aside; `commit` swaps them in, `abort` drops them. */
export interface StagedDirectory {
  readonly target: string;
  commit(): void;
  abort(): void;
}

/**
 * Writes `files` (paths `README.md` and `<env>/...`) into `<target>.tmp-<pid>` without touching
 * `target`. Synthesis owns `target/README.md` and every `target/<env>/` that carries the marker
 * file; a directory of one of the environments without the marker is refused here, before
 * anything is written, instead of being replaced.
 */
export function stageGenerated(target: string, files: readonly ReleaseFile[]): StagedDirectory {
  return stagedDirectory(path.resolve(target), writeStaging(target, files));
}

/**
 * The writing half of `stageGenerated`, which can run in another thread: checks ownership, writes
 * the staging directory and returns the environments it holds.
 */
export function writeStaging(target: string, files: readonly ReleaseFile[]): string[] {
  const dir = path.resolve(target);
  const environments = [...new Set(files.map((f) => f.path.split("/")).filter((p) => p.length > 1).map((p) => p[0]))].sort();
  for (const env of environments) {
    const existing = path.join(dir, env);
    if (fs.existsSync(existing) && !fs.existsSync(path.join(existing, MARKER_FILE))) {
      throw new GeneratedDirectoryError(
        `${existing} exists but was not written by synthesis (no ${MARKER_FILE} file in it); move it away or choose another directory with --generated. Nothing was written.`,
      );
    }
  }

  const staging = stagingDirectory(dir);
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    const made = new Set<string>();
    for (const file of files) {
      const to = path.join(staging, ...file.path.split("/"));
      const parent = path.dirname(to);
      if (!made.has(parent)) fs.mkdirSync(parent, { recursive: true });
      made.add(parent);
      fs.writeFileSync(to, file.content);
      // Explicit chmod: the mode given to writeFileSync is reduced by the umask.
      fs.chmodSync(to, file.mode ?? 0o644);
    }
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  return environments;
}

/** Where `dir`'s new contents are written aside (the same path in every thread of the process). */
const stagingDirectory = (dir: string): string => `${dir}.tmp-${process.pid}`;

/** The commit and abort of a staging directory written by `writeStaging`. */
export function stagedDirectory(dir: string, environments: readonly string[]): StagedDirectory {
  const staging = stagingDirectory(dir);
  return {
    target: dir,
    abort: () => fs.rmSync(staging, { recursive: true, force: true }),
    commit: () => {
      fs.mkdirSync(dir, { recursive: true });
      for (const env of environments) swapDirectory(path.join(staging, env), path.join(dir, env));
      // Environments that left the configuration: only directories synthesis wrote.
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const stale = path.join(dir, entry.name);
        if (entry.isDirectory() && !environments.includes(entry.name) && fs.existsSync(path.join(stale, MARKER_FILE))) {
          fs.rmSync(stale, { recursive: true, force: true });
        }
      }
      for (const entry of fs.readdirSync(staging, { withFileTypes: true })) {
        if (entry.isFile()) fs.renameSync(path.join(staging, entry.name), path.join(dir, entry.name));
      }
      fs.rmSync(staging, { recursive: true, force: true });
    },
  };
}

/** Replaces `target` with `fresh` by two renames, so readers see the old or the new directory. */
export function swapDirectory(fresh: string, target: string): void {
  const old = `${target}.old-${process.pid}`;
  fs.rmSync(old, { recursive: true, force: true });
  if (fs.existsSync(target)) fs.renameSync(target, old);
  fs.renameSync(fresh, target);
  fs.rmSync(old, { recursive: true, force: true });
}

/** Every file under `dir`, as sorted `/`-separated paths relative to it. */
export function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
}
