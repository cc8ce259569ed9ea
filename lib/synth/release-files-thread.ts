import * as path from "path";
import { isMainThread, parentPort, Worker, workerData } from "worker_threads";
import { Config } from "../config/schema";
import { GeneratedDirectoryError, StagedDirectory, stagedDirectory, writeStaging } from "./generated-dir";
import { generatedFiles } from "../release/release-files";

/** What the main thread sends: the validated configuration and the generated directory. */
interface Task {
  readonly stageReleaseFiles: { readonly target: string; readonly config: Config };
}

/** What the thread sends back. */
type Outcome = { readonly environments: string[] } | { readonly error: { readonly name: string; readonly message: string; readonly stack?: string } };

/**
 * Renders the release files of every environment and writes them aside (`stageGenerated`), in a
 * worker thread when `thread` is set, so that the main thread builds and synthesizes the stacks
 * meanwhile: creating a few hundred files is kernel time of its own (0.2 to 0.4 s for 50
 * environments on a 2-core machine), and synthesis is single-threaded JavaScript.
 *
 * A problem that stops the staging (a directory synthesis does not own, a template error) leaves
 * nothing aside; in line it is thrown at once, from the thread it rejects the promise. That
 * promise never rejects unobserved: it is meant to be awaited after the synthesis.
 * @param thread run in a worker thread; needs the compiled module (`dist/`), so it is off when the
 *   sources run directly (jest)
 */
export function stageReleaseFiles(target: string, config: Config, thread: boolean): Promise<StagedDirectory> {
  if (!thread) return Promise.resolve(stagedDirectory(path.resolve(target), writeStaging(target, generatedFiles(config))));
  const task: Task = { stageReleaseFiles: { target, config } };
  const worker = new Worker(__filename, { workerData: task });
  return handled(
    new Promise<StagedDirectory>((resolve, reject) => {
      worker.once("message", (outcome: Outcome) => {
        if ("environments" in outcome) resolve(stagedDirectory(path.resolve(target), outcome.environments));
        else reject(rebuildError(outcome.error));
      });
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`the release file thread stopped (exit code ${code}) before it was done`)));
    }),
  );
}

/** Whether this module runs compiled, so that a worker thread can load it. */
export const CAN_USE_THREAD = __filename.endsWith(".js");

/** Marks a promise's rejection as handled; awaiting it later still throws. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

function rebuildError(error: { name: string; message: string; stack?: string }): Error {
  const rebuilt = error.name === GeneratedDirectoryError.name ? new GeneratedDirectoryError(error.message) : new Error(error.message);
  if (error.stack) rebuilt.stack = error.stack;
  return rebuilt;
}

if (!isMainThread && (workerData as Partial<Task> | undefined)?.stageReleaseFiles) {
  const { target, config } = (workerData as Task).stageReleaseFiles;
  let outcome: Outcome;
  try {
    outcome = { environments: writeStaging(target, generatedFiles(config)) };
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    outcome = { error: { name: error.name, message: error.message, stack: error.stack } };
  }
  parentPort!.postMessage(outcome);
}
