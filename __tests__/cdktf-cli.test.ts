// The stock cdktf CLI (cdktf-cli 0.21.0) driving this app, as a new user runs it: `cdktf synth`
// after a change of the stack set. The CLI lists cdktf.out/stacks/* before it starts the app and
// removes, afterwards, the directories that are no longer stacks; the app swaps its whole output
// directory, so those directories must still be there for the CLI to remove (lib/synth/cli.ts).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.join(__dirname, "..");
const cli = path.join(root, "node_modules", ".bin", "cdktf");
// Each CLI run starts Node.js twice and synthesizes: 6 to 7 CPU-seconds, 14 s on a busy machine.
jest.setTimeout(180_000);

/** A cdktf project directory whose cdktf.json is the repository's, with `app` running the compiled dist/main.js. */
function project(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cli-"));
  const cdktfJson = JSON.parse(fs.readFileSync(path.join(root, "cdktf.json"), "utf8"));
  cdktfJson.app = `node ${JSON.stringify(path.join(root, "dist", "main.js"))}`;
  fs.writeFileSync(path.join(dir, "cdktf.json"), JSON.stringify(cdktfJson, null, 2));
  return dir;
}

function cdktfSynth(dir: string, appConfig: string): { status: number | null; output: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, APP_CONFIG: appConfig, GENERATED_DIR: path.join(dir, "generated"), CHECKPOINT_DISABLE: "1", DISABLE_VERSION_CHECK: "true", CI: "1", FORCE_COLOR: "0" };
  delete env.CDKTF_OUTDIR;
  delete env.SYNTH_HCL_OUTPUT;
  const run = spawnSync(cli, ["synth"], { cwd: dir, env, encoding: "utf8" });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** The stacks of the manifest and the directories of cdktf.out/stacks, sorted. */
function outputStacks(dir: string): { manifest: string[]; directories: string[] } {
  const out = path.join(dir, "cdktf.out");
  return {
    manifest: Object.keys(JSON.parse(fs.readFileSync(path.join(out, "manifest.json"), "utf8")).stacks).sort(),
    directories: fs.readdirSync(path.join(out, "stacks")).sort(),
  };
}

describe("cdktf synth through the stock CLI", () => {
  // One project through three synths (each CLI run costs about 6 CPU-seconds): an environment
  // removed from the configuration file, then APP_CONFIG switched to another file.
  test("after a change of the stack set the next synth succeeds and lists only the new stacks", () => {
    const dir = project();
    const config = path.join(dir, "app.yaml");
    fs.writeFileSync(config, fs.readFileSync(path.join(root, "config", "default.yaml"), "utf8"));
    const first = cdktfSynth(dir, config);
    expect({ status: first.status, output: first.status === 0 ? "" : first.output }).toEqual({ status: 0, output: "" });
    expect(outputStacks(dir)).toEqual({ manifest: ["webapp-production", "webapp-staging"], directories: ["webapp-production", "webapp-staging"] });

    // The same file, production removed (from its key to the end of the file).
    const text = fs.readFileSync(config, "utf8");
    fs.writeFileSync(config, text.slice(0, text.indexOf("\n  production:\n") + 1));
    const second = cdktfSynth(dir, config);
    expect(second.output).not.toContain("ENOENT");
    expect({ status: second.status, output: second.status === 0 ? "" : second.output }).toEqual({ status: 0, output: "" });
    expect(second.output).toContain("Generated Terraform code for the stacks: webapp-staging\n");
    expect(outputStacks(dir)).toEqual({ manifest: ["webapp-staging"], directories: ["webapp-staging"] });
    expect(fs.existsSync(path.join(dir, "cdktf.out", "stacks", "webapp-staging", "cdk.tf.json"))).toBe(true);

    // APP_CONFIG pointed at another configuration: every stack changes.
    const third = cdktfSynth(dir, path.join(root, "config", "examples", "hosts.yaml"));
    expect(third.output).not.toContain("ENOENT");
    expect({ status: third.status, output: third.status === 0 ? "" : third.output }).toEqual({ status: 0, output: "" });
    expect(third.output).toContain("Generated Terraform code for the stacks: shop-production, shop-staging\n");
    expect(outputStacks(dir)).toEqual({ manifest: ["shop-production", "shop-staging"], directories: ["shop-production", "shop-staging"] });
  });
});
