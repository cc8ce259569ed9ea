import * as fs from "fs";
import * as path from "path";
import { isMainThread, parentPort, Worker, workerData } from "worker_threads";
import { ARCHITECTURE_FILE, architectureDot, architectureOf, loadArchitectureRenderer, loadDotRenderer, RenderableStack, writeArchitecturePictures } from "../architecture";

/** Draws the architecture picture of each stack as the synthesis writes it. */
export interface ArchitectureDrawing {
  /** Called once a stack's directory has been written (its Terraform can be read). */
  stackWritten(stack: RenderableStack): void;
  /** Resolves to the pictures written, once every one is on disk; rejects with the first problem. */
  done(): Promise<string[]>;
  /** Stops drawing (the synthesis failed); once it resolves, nothing more is written. */
  abort(): Promise<void>;
}

/** Messages to the thread: a picture to draw, or the end of the stacks. */
type Task = { readonly file: string; readonly dot: string } | { readonly end: true };
type Outcome = { readonly files: string[] } | { readonly error: { readonly message: string; readonly stack?: string } };

/**
 * Draws the pictures of `<stacksDir>/<stack>/architecture.svg`.
 *
 * In a worker thread (`thread`), each stack is drawn while the main thread synthesizes the next
 * one: Graphviz lays a stack out in 30 to 60 ms, which for 50 environments was a second and a half
 * added to a single-threaded synthesis (bench, 2026-12-02). The main thread only turns the stack's
 * Terraform into DOT text (a few milliseconds) and posts it. Without a thread (the TypeScript
 * sources under jest), every picture is drawn at the end, in line.
 * @param thread needs the compiled module (`dist/`)
 */
export function drawArchitectures(stacksDir: string, thread: boolean): ArchitectureDrawing {
  if (!thread) {
    const renderer = loadArchitectureRenderer();
    const stacks: RenderableStack[] = [];
    return {
      stackWritten: (stack) => void stacks.push(stack),
      done: async () => writeArchitecturePictures(stacks, stacksDir, await renderer),
      abort: async () => undefined,
    };
  }
  const worker = new Worker(__filename, { workerData: { architectureThread: true } });
  let failure: Error | undefined;
  const outcome = new Promise<string[]>((resolve, reject) => {
    worker.once("message", (message: Outcome) => {
      if ("files" in message) resolve(message.files);
      else reject(rebuild(message.error));
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the architecture picture thread stopped (exit code ${code}) before it was done`)));
  });
  outcome.catch(() => undefined);
  return {
    stackWritten(stack) {
      if (failure) return;
      try {
        const task: Task = { file: path.join(stacksDir, stack.node.id, ARCHITECTURE_FILE), dot: architectureDot(architectureOf(stack.toTerraform(), stack.node.id)) };
        worker.postMessage(task);
      } catch (e) {
        failure = e instanceof Error ? e : new Error(String(e));
      }
    },
    async done() {
      if (failure) {
        await worker.terminate();
        throw failure;
      }
      worker.postMessage({ end: true } satisfies Task);
      try {
        return await outcome;
      } finally {
        await worker.terminate();
      }
    },
    async abort() {
      await worker.terminate();
    },
  };
}

function rebuild(error: { message: string; stack?: string }): Error {
  const rebuilt = new Error(error.message);
  if (error.stack) rebuilt.stack = error.stack;
  return rebuilt;
}

if (!isMainThread && (workerData as { architectureThread?: boolean } | undefined)?.architectureThread) {
  const renderer = loadDotRenderer();
  const files: string[] = [];
  // Messages are handled one after another: each waits for the one before (and for Graphviz).
  let queue: Promise<void> = Promise.resolve();
  let failed = false;
  parentPort!.on("message", (task: Task) => {
    queue = queue.then(async () => {
      if (failed) return;
      try {
        if ("end" in task) {
          parentPort!.postMessage({ files } satisfies Outcome);
          return;
        }
        fs.writeFileSync(task.file, (await renderer)(task.dot));
        files.push(task.file);
      } catch (e) {
        failed = true;
        const error = e instanceof Error ? e : new Error(String(e));
        parentPort!.postMessage({ error: { message: error.message, stack: error.stack } } satisfies Outcome);
      }
    });
  });
}
