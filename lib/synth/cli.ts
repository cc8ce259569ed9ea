import * as fs from "fs";
import * as path from "path";
import { PolicyViolationError } from "../../policy";
import { parseCommandLine } from "./args";
import { ConfigError } from "../config/load";
import { GeneratedDirectoryError } from "./generated-dir";
import { OutputFormat, synthesize } from "./synth";
import { costSummary, estimateConfig } from "../cost/summary";

const USAGE = `Usage: npm run synth -- [--config <file>] [--hcl | --json] [--out <dir>] [--generated <dir>]

  --config <file>    configuration to synthesize (default: config/default.yaml)
  --hcl              write HCL (cdk.tf) instead of JSON (also: SYNTH_HCL_OUTPUT=true, or app.output: hcl)
  --json             write JSON even when the configuration asks for HCL
  --out <dir>        output directory (default: $CDKTF_OUTDIR or cdktf.out)
  --generated <dir>  release files of every environment, in <dir>/<env>/ (default: $GENERATED_DIR or generated/ of this repository)`;

/** `npm run synth -- <args>`: returns the process exit code. */
export async function runSynth(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const args = parseCommandLine(
    argv,
    {
      config: { type: "string", short: "c" },
      hcl: { type: "boolean" },
      json: { type: "boolean" },
      out: { type: "string", short: "o" },
      generated: { type: "string", short: "g" },
    },
    USAGE,
  );
  if (typeof args === "number") return args;
  if (args.hcl && args.json) {
    console.error(`--hcl and --json exclude each other\n\n${USAGE}`);
    return 2;
  }

  const envHcl = env.SYNTH_HCL_OUTPUT === "true" || env.SYNTH_HCL_OUTPUT === "1";
  const format: OutputFormat | undefined = args.hcl || envHcl ? "hcl" : args.json ? "json" : undefined;
  // The cdktf CLI passes CDKTF_OUTDIR (cdktf synth, diff, deploy).
  const cliManaged = env.CDKTF_OUTDIR !== undefined;
  const outdir = args.out ?? env.CDKTF_OUTDIR ?? "cdktf.out";
  const configFile = args.config ?? env.APP_CONFIG ?? path.join("config", "default.yaml");

  try {
    const before = cliManaged ? stackDirectories(outdir) : [];
    const result = await synthesize({ configFile, outdir, format, generatedDir: args.generated ?? env.GENERATED_DIR });
    if (cliManaged) leaveForTheCli(before, outdir);
    const rel = path.relative(process.cwd(), result.outdir) || ".";
    console.log(`Synthesized ${result.stacks.length} stack(s) as ${result.format.toUpperCase()} from ${configFile} into ${rel}/stacks/: ${result.stacks.map((s) => s.name).join(", ")}`);
    console.log(`Architecture pictures: ${result.stacks.map((s) => path.relative(process.cwd(), s.architecture)).join(", ")}`);
    const findings = result.policy.flatMap((r) => r.findings);
    const count = (status: string) => findings.filter((f) => f.status === status).length;
    console.log(`Release files of ${Object.keys(result.config.environments).join(", ")} in ${path.relative(process.cwd(), result.generatedDir) || "."}/`);
    console.log(`Policy pack: ${count("pass")} check(s) passed, ${count("suppressed")} suppressed failure(s); details with npm run check.`);
    console.log(costSummary(estimateConfig(result.config, result.stacks.map((s) => ({ name: s.name, terraform: s.terraform })))));
    return 0;
  } catch (e) {
    if (e instanceof ConfigError || e instanceof PolicyViolationError || e instanceof GeneratedDirectoryError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  }
}

/** Names of the directories in `<outdir>/stacks`. */
function stackDirectories(outdir: string): string[] {
  const stacks = path.join(outdir, "stacks");
  return fs.existsSync(stacks) ? fs.readdirSync(stacks, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) : [];
}

/**
 * The cdktf CLI lists the directories of `<outdir>/stacks` before it runs the app and, once the app
 * is done, removes each one that is no longer a stack of the manifest, with `fs.rmSync` without
 * `force` (@cdktf/cli-core 0.21, lib/synth-stack.js). The atomic swap has already removed them with
 * the old output, and that `rmSync` of a missing directory failed the CLI run (`ENOENT: lstat
 * 'cdktf.out/stacks/<old stack>'`) after every change of the stack set. An empty directory is
 * put back for each, for the CLI to remove.
 */
function leaveForTheCli(before: readonly string[], outdir: string): void {
  for (const name of before) fs.mkdirSync(path.join(outdir, "stacks", name), { recursive: true });
}
