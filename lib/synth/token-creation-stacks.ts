import * as path from "path";

/**
 * Environment variable that keeps cdktf's token creation stacks (set it to `1` when a "could not
 * resolve token" error needs to say where the token came from).
 */
export const KEEP_TOKEN_CREATION_STACKS = "CDKTF_TOKEN_CREATION_STACKS";

interface StackTraceModule {
  captureStackTrace: (below?: unknown) => string[];
}

const stackTraceModule = (): StackTraceModule =>
  // Loaded by file path: the module is internal to cdktf (pinned at 0.21.0; a test fails if it moves).
  require(path.join(path.dirname(require.resolve("cdktf/package.json")), "lib", "tokens", "private", "stack-trace.js")) as StackTraceModule;

let original: StackTraceModule["captureStackTrace"] | undefined;

/**
 * Stops cdktf from recording the full JavaScript stack of every token it creates
 * (hashicorp/terraform-cdk#3892). cdktf reads those stacks only to decorate token resolution
 * errors, yet capturing and formatting them is a quarter of the synthesis time of an
 * environment (1.4 s of 6 s for 50 environments). aws-cdk has since deprecated token stack traces
 * and the cdktf fork added a switch for the same reason.
 *
 * Applies to the process's cdktf (every `App`), once; `CDKTF_TOKEN_CREATION_STACKS=1` keeps them.
 * @returns whether creation stacks are now off
 */
export function disableTokenCreationStacks(env: NodeJS.ProcessEnv = process.env): boolean {
  const mod = stackTraceModule();
  if (env[KEEP_TOKEN_CREATION_STACKS] === "1") {
    if (original) mod.captureStackTrace = original;
    return false;
  }
  original ??= mod.captureStackTrace;
  mod.captureStackTrace = () => [];
  return true;
}
