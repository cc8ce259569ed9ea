// Entry point of `npm run synth` and of cdktf.json's "app" (cdktf synth / deploy).
import { runSynth } from "./lib/cli";

runSynth(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e) => {
    console.error(e);
    process.exitCode = 1;
  },
);
