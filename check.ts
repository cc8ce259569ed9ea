// Entry point of `npm run check`: the policy pack's report for every stack of a configuration.
import { enableCodeCache } from "./lib/synth/code-cache";

// Before anything else is loaded: the cache covers the modules required from here on.
enableCodeCache();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runCheck } = require("./lib/synth/check") as typeof import("./lib/synth/check");

runCheck(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e) => {
    console.error(e);
    process.exitCode = 1;
  },
);
