// Entry point of `npm run check`: the policy pack's report for every stack of a configuration.
import { runCheck } from "./lib/check";

runCheck(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e) => {
    console.error(e);
    process.exitCode = 1;
  },
);
