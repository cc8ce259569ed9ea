// The two places where synthesis departs from stock cdktf for speed (lib/synth.ts,
// lib/token-creation-stacks.ts), and the proofs that they change nothing in the output.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, Lazy, TerraformOutput, TerraformStack, Testing } from "cdktf";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { buildApp } from "../lib/build-app";
import { loadConfigFile } from "../lib/config/load";
import { synthesize } from "../lib/synth";
import { disableTokenCreationStacks, KEEP_TOKEN_CREATION_STACKS } from "../lib/token-creation-stacks";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";

const root = path.join(__dirname, "..");
jest.setTimeout(60_000);
const configFiles = [path.join("config", "default.yaml"), ...fs.readdirSync(path.join(root, "config", "examples")).map((f) => path.join("config", "examples", f))];

/** Every stack rendered as JSON, in order. */
const render = (stacks: TerraformStack[]) => stacks.map((s) => JSON.stringify(s.toTerraform()));

/** Runs cdktf's own preparing pass (the one synthesize skips) on every stack. */
const prepareAsCdktfWould = (stacks: TerraformStack[]) => stacks.forEach((s) => TerraformStack.prototype.prepareStack.call(s));

describe("the skipped preparing pass", () => {
  test.each(configFiles)("would change no stack of %s", (file) => {
    const stacks = buildApp(Testing.app({ stackTraces: false }), loadConfigFile(path.join(root, file)));
    const before = render(stacks);
    prepareAsCdktfWould(stacks);
    expect(render(stacks)).toEqual(before);
  });

  test("the check above catches a cross-stack token: the pass adds a remote state lookup and an output", () => {
    const app = Testing.app({ stackTraces: false });
    const source = new TerraformStack(app, "source");
    new AwsProvider(source, "aws", { region: "eu-west-1" });
    const bucket = new S3Bucket(source, "bucket", { bucket: "shared-bucket" });
    const consumer = new TerraformStack(app, "consumer");
    new AwsProvider(consumer, "aws", { region: "eu-west-1" });
    new TerraformOutput(consumer, "bucket_arn", { value: bucket.arn });
    const before = render([source, consumer]);
    prepareAsCdktfWould([source, consumer]);
    const after = render([source, consumer]);
    expect(after).not.toEqual(before);
    expect(JSON.parse(after[1]).data.terraform_remote_state).toBeDefined();
  });

  test("synthesize does not call cdktf's preparing pass, and still writes every stack", async () => {
    const spy = jest.spyOn(TerraformStack.prototype, "prepareStack");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prepare-"));
    const result = await synthesize({ configFile: path.join(root, "config", "default.yaml"), outdir: path.join(dir, "out"), generatedDir: path.join(dir, "generated") });
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
    for (const stack of result.stacks) expect(fs.existsSync(path.join(stack.directory, "cdk.tf.json"))).toBe(true);
  });
});

describe("token creation stacks", () => {
  afterEach(() => disableTokenCreationStacks({}));

  test("are not recorded once disabled (hashicorp/terraform-cdk#3892)", () => {
    expect(disableTokenCreationStacks({})).toBe(true);
    expect(Lazy.anyValue({ produce: () => 1 }).creationStack).toEqual([]);
  });

  test(`are recorded again with ${KEEP_TOKEN_CREATION_STACKS}=1, naming the code that created the token`, () => {
    disableTokenCreationStacks({});
    expect(disableTokenCreationStacks({ [KEEP_TOKEN_CREATION_STACKS]: "1" })).toBe(false);
    const stack = Lazy.anyValue({ produce: () => 1 }).creationStack;
    expect(stack.length).toBeGreaterThan(0);
    expect(stack.join("\n")).toContain("synth-shortcuts.test.ts");
  });

  test("are off during synthesize", async () => {
    disableTokenCreationStacks({ [KEEP_TOKEN_CREATION_STACKS]: "1" });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
    const app = jest.spyOn(App.prototype, "synth");
    await synthesize({ configFile: path.join(root, "config", "examples", "single-env-s3-hcl.yaml"), outdir: path.join(dir, "out"), generatedDir: path.join(dir, "generated") });
    expect(app).toHaveBeenCalled();
    app.mockRestore();
    expect(Lazy.anyValue({ produce: () => 1 }).creationStack).toEqual([]);
  });
});
