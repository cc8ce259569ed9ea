// Entry point of `npm run synth` and of cdktf.json's "app" (cdktf synth / deploy).
import { enableCodeCache } from "./lib/synth/code-cache";

// Before anything else is loaded: the cache covers the modules required from here on.
enableCodeCache();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runSynth } = require("./lib/synth/cli") as typeof import("./lib/synth/cli");

runSynth(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e) => {
    console.error(e);
    process.exitCode = 1;
  },
);
