// The places where synthesis departs from stock cdktf for speed (lib/synth/synth.ts,
// lib/synth/token-creation-stacks.ts, lib/synth/plain-value-resolve.ts), and the proofs that they change
// nothing in the output.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, DefaultTokenResolver, Fn, Lazy, StringConcat, TerraformOutput, TerraformStack, Testing, Token, Tokenization } from "cdktf";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { buildApp } from "../lib/synth/build-app";
import { loadConfigFile } from "../lib/config/load";
import { synthesize } from "../lib/synth/synth";
import { disableTokenCreationStacks, KEEP_TOKEN_CREATION_STACKS } from "../lib/synth/token-creation-stacks";
import { KEEP_CDKTF_RESOLVE, resolvePlainValuesDirectly } from "../lib/synth/plain-value-resolve";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";

const root = path.join(__dirname, "..");
jest.setTimeout(60_000);
const configFiles = [path.join("config", "default.yaml"), ...fs.readdirSync(path.join(root, "config", "examples")).map((f) => path.join("config", "examples", f))];

/** Every stack rendered as JSON, in order. */
const render = (stacks: TerraformStack[]) => stacks.map((s) => JSON.stringify(s.toTerraform()));

/** Runs cdktf's own preparing pass (the one synthesize skips) on every stack. */
const prepareAsCdktfWould = (stacks: TerraformStack[]) => stacks.forEach((s) => TerraformStack.prototype.prepareStack.call(s));

/** What cdktf's stack rendering calls for every element (cdktf's internal `_tokens.resolve`). */
const resolveIn = (scope: TerraformStack, value: unknown) => Tokenization.resolve(value, { scope, resolver: new DefaultTokenResolver(new StringConcat()) });

const CDKTF = { [KEEP_CDKTF_RESOLVE]: "1" };

/** Runs `fn` with cdktf's resolver, then with the shortcut; returns both results (or errors). */
function both<T>(fn: () => T): { cdktf: T | Error; shortcut: T | Error } {
  const attempt = (): T | Error => {
    try {
      return fn();
    } catch (e) {
      return e as Error;
    }
  };
  expect(resolvePlainValuesDirectly(CDKTF)).toBe(false);
  const cdktf = attempt();
  expect(resolvePlainValuesDirectly({})).toBe(true);
  return { cdktf, shortcut: attempt() };
}

describe("every configuration in config/", () => {
  // HCL for one configuration per platform: its rendering shares every value with the JSON one.
  const hcl = new Set(["default.yaml", "ecs.yaml", "hosts.yaml"]);

  // Built once per configuration for both proofs (rendering changes nothing in the constructs).
  test.each(configFiles)("%s: cdktf's own resolver renders every stack the same, and cdktf's preparing pass would change none", (file) => {
    const stacks = buildApp(Testing.app({ stackTraces: false }), loadConfigFile(path.join(root, file)));
    const withHcl = () => stacks.map((s) => [JSON.stringify(s.toTerraform()), hcl.has(path.basename(file)) ? JSON.stringify(s.toHclTerraform()) : ""]);
    const { cdktf, shortcut } = both(withHcl);
    expect(cdktf).not.toBeInstanceOf(Error);
    expect(shortcut).toEqual(cdktf);

    const before = (shortcut as string[][]).map(([json]) => json);
    prepareAsCdktfWould(stacks);
    expect(render(stacks)).toEqual(before);
  });
});

describe("the skipped preparing pass", () => {
  test("the check of every configuration above catches a cross-stack token: the pass adds a remote state lookup and an output", () => {
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
    await synthesize({ configFile: path.join(root, "config", "examples", "hosts.yaml"), outdir: path.join(dir, "out"), generatedDir: path.join(dir, "generated") });
    expect(app).toHaveBeenCalled();
    app.mockRestore();
    expect(Lazy.anyValue({ produce: () => 1 }).creationStack).toEqual([]);
  });
});

// lib/synth/plain-value-resolve.ts resolves plain values itself and hands tokens to cdktf: the output
// must be cdktf's own, value by value and stack by stack, errors included.
describe("plain values resolved directly", () => {
  afterAll(() => resolvePlainValuesDirectly({}));

  describe("value by value, the shortcut gives cdktf's result", () => {
    const stack = () => {
      const app = Testing.app({ stackTraces: false });
      const s = new TerraformStack(app, "values");
      new AwsProvider(s, "aws", { region: "eu-west-1" });
      return { s, bucket: new S3Bucket(s, "bucket", { bucket: "b" }) };
    };

    const cases: [string, (s: TerraformStack, bucket: S3Bucket) => unknown][] = [
      ["plain literals, undefined members dropped", () => ({ a: "x", b: 1, c: true, d: null, e: undefined, f: [1, undefined, "y"], g: { h: [] } })],
      ["a reference in a string, alone and inside text", (_, b) => ({ arn: b.arn, text: `arn is ${b.arn}!`, list: ["a", b.id, "c"] })],
      ["a list token and a number list token", (_, b) => ({ list: Token.asList(b.arn), numbers: Token.asNumberList(Fn.tolist([1, 2])), inside: [Token.asList(b.id)] })],
      ["a number token and a number token inside text", (_, b) => ({ n: Token.asNumber(b.id), text: `n=${Token.asNumber(b.id)}` })],
      ["a map token and a token as a key", (_, b) => ({ map: Token.asStringMap(b.tagsAll), any: Token.asAnyMap(b.tagsAll), [b.bucket]: "keyed" })],
      ["a lazy value that returns tokens and undefined members", (_, b) => ({ lazy: Lazy.anyValue({ produce: () => ({ arn: b.arn, gone: undefined, list: [b.id] }) }) })],
      ["Terraform functions with escapes", (_, b) => ({ joined: Fn.join(",", [b.arn, "${literal}"]), upper: Fn.upper("x") })],
      ["strings cdktf scans for number tokens (tf-e2e, 1e5, 2.5E+3)", () => ({ a: "tf-e2e", b: "1e5", c: "2.5E+3", d: ["x-e2", "-e-"] })],
      ["escaped interpolation and Terraform expressions written as text", () => ({ a: "${var.x}", b: "$${not}", c: "%{ if true }y%{ endif }" })],
      ["a date and a large tree", () => ({ when: new Date(0), deep: Array.from({ length: 50 }, (_, i) => ({ i, tags: { n: `${i}` } })) })],
      ["a construct where a value belongs (an error)", (s) => ({ oops: s })],
      ["a function where a value belongs (an error)", () => ({ oops: () => 1 })],
      ["a list token in a string (an error)", (_, b) => ({ oops: `${Token.asList(b.arn)}` })],
      [
        "a cyclic value (cdktf's depth limit, an error)",
        () => {
          const a: Record<string, unknown> = {};
          a.self = a;
          return a;
        },
      ],
    ];

    test.each(cases)("%s", (_, make) => {
      const { s, bucket } = stack();
      const value = make(s, bucket);
      const { cdktf, shortcut } = both(() => resolveIn(s, value));
      if (cdktf instanceof Error) {
        expect(shortcut).toBeInstanceOf(Error);
        expect((shortcut as Error).message).toBe(cdktf.message);
      } else {
        expect(shortcut).toEqual(cdktf);
      }
    });

    test("the cases above reach cdktf's resolver for tokens (a reference resolves to its expression)", () => {
      const { s, bucket } = stack();
      expect(resolveIn(s, { arn: bucket.arn, list: [bucket.id] })).toEqual({ arn: "${aws_s3_bucket.bucket.arn}", list: ["${aws_s3_bucket.bucket.id}"] });
    });
  });

  describe("switch", () => {
    test(`is on during synthesize; ${KEEP_CDKTF_RESOLVE}=1 keeps cdktf's resolver`, async () => {
      resolvePlainValuesDirectly(CDKTF);
      const original = Tokenization.resolve;
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "resolve-"));
      const synth = () => synthesize({ configFile: path.join(root, "config", "examples", "hosts.yaml"), outdir: path.join(dir, "out"), generatedDir: path.join(dir, "generated") });
      await synth();
      expect(Tokenization.resolve).not.toBe(original);
      process.env[KEEP_CDKTF_RESOLVE] = "1";
      try {
        await synth();
        expect(Tokenization.resolve).toBe(original);
      } finally {
        delete process.env[KEEP_CDKTF_RESOLVE];
      }
    });
  });
});
