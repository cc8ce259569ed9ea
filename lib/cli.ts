import * as path from "path";
import { PolicyViolationError } from "../policy";
import { parseCommandLine } from "./args";
import { ConfigError } from "./config/load";
import { GeneratedDirectoryError } from "./generated-dir";
import { OutputFormat, synthesize } from "./synth";

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
  // The cdktf CLI passes CDKTF_OUTDIR and manages that directory itself; run directly, we swap atomically.
  const cliManaged = env.CDKTF_OUTDIR !== undefined;
  const outdir = args.out ?? env.CDKTF_OUTDIR ?? "cdktf.out";
  const configFile = args.config ?? env.APP_CONFIG ?? path.join("config", "default.yaml");

  try {
    const result = await synthesize({ configFile, outdir, format, atomic: !cliManaged, generatedDir: args.generated ?? env.GENERATED_DIR });
    const rel = path.relative(process.cwd(), result.outdir) || ".";
    console.log(`Synthesized ${result.stacks.length} stack(s) as ${result.format.toUpperCase()} from ${configFile} into ${rel}/stacks/: ${result.stacks.map((s) => s.name).join(", ")}`);
    const findings = result.policy.flatMap((r) => r.findings);
    const count = (status: string) => findings.filter((f) => f.status === status).length;
    console.log(`Release files of ${Object.keys(result.config.environments).join(", ")} in ${path.relative(process.cwd(), result.generatedDir) || "."}/`);
    console.log(`Policy pack: ${count("pass")} check(s) passed, ${count("suppressed")} suppressed failure(s); details with npm run check.`);
    return 0;
  } catch (e) {
    if (e instanceof ConfigError || e instanceof PolicyViolationError || e instanceof GeneratedDirectoryError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  }
}

