import * as fs from "fs";
import * as path from "path";
import { App, TerraformStack } from "cdktf";
import { PolicyReport, policyReports, PolicyViolationError } from "../../policy";
import { loadConfigFile } from "../config/load";
import { Config } from "../config/schema";
import { addressesOf } from "../address";
import { ARCHITECTURE_FILE } from "../architecture";
import { drawArchitectures } from "./architecture-thread";
import { buildApp } from "./build-app";
import { tidyHcl } from "./hcl";
import { swapDirectory } from "./generated-dir";
import { CAN_USE_THREAD, stageReleaseFiles } from "./release-files-thread";
import { PROJECT_ROOT } from "../release/templates";
import { disableTokenCreationStacks } from "./token-creation-stacks";
import { resolvePlainValuesDirectly } from "./plain-value-resolve";

export type OutputFormat = "json" | "hcl";

export interface SynthOptions {
  /** Configuration file (YAML or JSON). */
  readonly configFile: string;
  /** Where stacks go. */
  readonly outdir: string;
  /** Overrides `app.output` of the configuration. */
  readonly format?: OutputFormat;
  /**
   * Write into a temporary directory and swap it in only when everything succeeded, so a failed
   * synth leaves the previous output untouched (the cdktf CLI too: lib/synth/cli.ts). Off for a fresh
   * directory of the caller's own, where there is nothing to keep.
   * @default true
   */
  readonly atomic?: boolean;
  /**
   * Where the release files of every environment go (`<dir>/<env>/`). They are swapped in together
   * with the stacks: a failed synth leaves both as they were.
   * @default `<repository>/generated`
   */
  readonly generatedDir?: string;
  /**
   * Render and write the release files in a worker thread while the stacks are synthesized, and
   * draw the architecture pictures in another (a worker thread needs the compiled modules of `dist/`).
   * @default true when running compiled, false when the TypeScript sources run directly (jest)
   */
  readonly releaseFilesThread?: boolean;
}

export interface SynthesizedStack {
  readonly name: string;
  /** Directory of the stack, absolute (inside `outdir`). */
  readonly directory: string;
  /**
   * Every `type.name` (and `data.type.name`) address of the stack. Computed on first read: it
   * renders the stack once more, which `npm run synth` does not need (a third of its time).
   */
  readonly addresses: string[];
  /** The stack's Terraform JSON (`stack.toTerraform()`, the render the synthesis wrote; no second render). */
  readonly terraform: Record<string, any>;
  /** The stack's architecture picture, `<directory>/architecture.svg` (lib/architecture.ts). */
  readonly architecture: string;
}

export interface SynthResult {
  readonly config: Config;
  readonly format: OutputFormat;
  readonly stacks: SynthesizedStack[];
  readonly outdir: string;
  /** Directory of the release files (absolute). */
  readonly generatedDir: string;
  /** The policy pack's report of every stack (no unsuppressed failures, or synthesis would have failed). */
  readonly policy: PolicyReport[];
}

/** Validates the configuration, then synthesizes every environment. Throws ConfigError before writing anything. */
export async function synthesize(options: SynthOptions): Promise<SynthResult> {
  const config = loadConfigFile(options.configFile);
  const format = options.format ?? config.app.output;
  const atomic = options.atomic ?? true;
  const target = path.resolve(options.outdir);
  const workdir = atomic ? `${target}.tmp-${process.pid}` : target;
  // Rendered and written aside while the stacks are synthesized; a template or ownership problem
  // stops the synth before any output changes, and is reported before any problem of the stacks.
  const staging = stageReleaseFiles(options.generatedDir ?? path.join(PROJECT_ROOT, "generated"), config, options.releaseFilesThread ?? CAN_USE_THREAD);
  // Graphviz (WebAssembly) loads while the stacks are synthesized; each picture is drawn (in a
  // thread, when compiled) once its stack is written, inside the working directory: swapped in
  // with the stacks, or dropped with them on failure.
  const drawing = drawArchitectures(path.join(workdir, "stacks"), options.releaseFilesThread ?? CAN_USE_THREAD);

  // cdktf 0.21 decides HCL per stack from SYNTH_HCL_OUTPUT only, ignoring App's hclOutput
  // (hashicorp/terraform-cdk#3875), so both are set for the duration of the synth.
  const previous = process.env.SYNTH_HCL_OUTPUT;
  process.env.SYNTH_HCL_OUTPUT = format === "hcl" ? "true" : "false";
  try {
    fs.mkdirSync(path.dirname(workdir), { recursive: true });
    fs.rmSync(workdir, { recursive: true, force: true });
    disableTokenCreationStacks();
    resolvePlainValuesDirectly();
    const app = new App({ outdir: workdir, hclOutput: format === "hcl", stackTraces: false });
    const built = buildApp(app, config);
    built.forEach(skipPreparingResolve);
    built.forEach(renderOnceAfterAspects);
    for (const stack of built) {
      const synthesizer = stack.synthesizer;
      const write = synthesizer.synthesize.bind(synthesizer);
      synthesizer.synthesize = (session) => {
        write(session);
        drawing.stackWritten(stack);
      };
    }
    try {
      app.synth();
    } catch (e) {
      throw policyFailure(built, atomic) ?? e;
    }
    if (format === "hcl") {
      for (const stack of built) {
        const file = path.join(workdir, "stacks", stack.node.id, "cdk.tf");
        fs.writeFileSync(file, await tidyHcl(fs.readFileSync(file, "utf8")));
      }
    }
    await drawing.done();
    const generated = await staging;
    if (atomic) swapDirectory(workdir, target);
    generated.commit();
    const stacks = built.map((stack): SynthesizedStack => {
      let addresses: string[] | undefined;
      return {
        name: stack.node.id,
        directory: path.join(target, "stacks", stack.node.id),
        architecture: path.join(target, "stacks", stack.node.id, ARCHITECTURE_FILE),
        get addresses() {
          return (addresses ??= addressesOf(stack.toTerraform()));
        },
        get terraform() {
          return stack.toTerraform();
        },
      };
    });
    return { config, format, stacks, outdir: target, generatedDir: generated.target, policy: policyReports(built) };
  } catch (e) {
    // Nothing more is drawn into the working directory once it is removed.
    await drawing.abort();
    if (atomic) fs.rmSync(workdir, { recursive: true, force: true });
    // Throws the staging's own problem, if it had one: it comes first.
    (await staging).abort();
    throw e;
  } finally {
    if (previous === undefined) delete process.env.SYNTH_HCL_OUTPUT;
    else process.env.SYNTH_HCL_OUTPUT = previous;
  }
}

/**
 * cdktf stops at the first stack with error annotations and reports them as one raw list; when the
 * policy pack caused the failure, this error lists every violation of every stack instead.
 */
function policyFailure(stacks: TerraformStack[], atomic: boolean): PolicyViolationError | undefined {
  const reports = policyReports(stacks);
  if (!reports.some((r) => r.failures.length > 0)) return undefined;
  return new PolicyViolationError(reports, atomic ? "nothing was written, the previous output is unchanged" : undefined);
}

/**
 * cdktf renders a stack for the policy pack's validation and again to write it; nothing changes in
 * between (validations run after every aspect, and writing follows them), so the second render
 * reuses the first: about a fifth of the synthesis time. The stack validation added here runs
 * before the policy pack's (added later, when its aspect visits the stack) and starts the reuse;
 * anything that renders the stack before validations still gets a fresh render.
 */
function renderOnceAfterAspects(stack: TerraformStack): void {
  const render = stack.toTerraform.bind(stack);
  let frozen = false;
  let rendered: ReturnType<typeof render> | undefined;
  stack.toTerraform = () => (frozen ? (rendered ??= render()) : render());
  stack.node.addValidation({ validate: () => ((frozen = true), []) });
}

/**
 * Before writing anything, cdktf renders every stack once in a "preparing" pass whose output it
 * throws away: the pass exists only to find tokens of one stack used in another and to turn them
 * into remote-state lookups. Our stacks never pass tokens to each other: an environment in shared
 * mode reads the shared load balancer stack's outputs through its own `terraform_remote_state`,
 * built from configuration (stacks/backend.ts). So the pass is skipped: a quarter of the synthesis
 * time. `__tests__/synth-shortcuts.test.ts` proves on every configuration in `config/` that the
 * pass would change nothing, so a cross-stack token added later fails a test instead of
 * rendering a dangling reference.
 */
function skipPreparingResolve(stack: TerraformStack): void {
  stack.prepareStack = () => void stack.ensureBackendExists();
}
