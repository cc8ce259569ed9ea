// The task definition cleaner (constructs/task-definition-cleaner.ts, templates/ecs/task_definition_cleaner.py):
// on destroy it removes the revisions ECS releases registered outside Terraform. The emulator tier
// runs it (case ecs: release, then destroy with no task definition left ACTIVE).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { unzipSync } from "fflate";
import { EncryptionKey } from "../constructs/encryption-key";
import { TASK_DEFINITION_CLEANER_SOURCE, TaskDefinitionCleaner } from "../constructs/task-definition-cleaner";
import { addressesOf } from "../lib/address";
import { parseConfig } from "../lib/config/load";
import { lambdaPackage } from "../lib/lambda-package";
import { actionMatches } from "./helpers/iam-coverage";
import { bareStack, resource, resourcesOfType, statements, Synth, synthConfig } from "./helpers/synth";

const api = () => ({ name: "api", launchType: "FARGATE", containerPort: 8080, cpu: 512, memory: 1024, pathPatterns: ["/api/*"], priority: 10 });
const web = () => ({ name: "web", launchType: "EC2", networkMode: "bridge", containerPort: 3000, cpu: 256, memory: 512, pathPatterns: ["/*"], priority: 100 });
const staging: Synth = synthConfig(
  parseConfig({
    app: { name: "shop", region: "eu-west-1" },
    environments: { staging: { platform: "ecs", protection: false, network: { cidr: "10.30.0.0/16" }, ecs: { services: [api(), { ...web(), deployment: { type: "blue-green" } }] } } },
  } as any),
).staging;
const name = "shop-staging-task-definition-cleaner";

describe("construct", () => {
  const fn = resource(staging, "aws_lambda_function", "task_definition_cleaner_function");
  const invocation = resource(staging, "aws_lambda_invocation", "task_definition_cleaner_destroy");

  test("a Python function logging to its KMS-encrypted group with the environment's retention", () => {
    expect(fn).toMatchObject({ function_name: name, runtime: "python3.12", handler: "task_definition_cleaner.handler", timeout: 900 });
    expect(fn.logging_config.log_group).toBe("${aws_cloudwatch_log_group.task_definition_cleaner_logs.name}");
    const logs = resource(staging, "aws_cloudwatch_log_group", "task_definition_cleaner_logs");
    expect(logs).toMatchObject({ name: `/aws/lambda/${name}`, kms_key_id: expect.stringMatching(/aws_kms_key\./), retention_in_days: expect.any(Number) });
    expect(fn.depends_on).toEqual(["aws_iam_role_policy.task_definition_cleaner_role"]);
  });

  test("the package is the cleaner alone, deterministic, and its hash is the source_code_hash", () => {
    const a = lambdaPackage("task-definition-cleaner", [TASK_DEFINITION_CLEANER_SOURCE]);
    expect(lambdaPackage("task-definition-cleaner", [TASK_DEFINITION_CLEANER_SOURCE])).toEqual(a);
    expect(fn.source_code_hash).toBe(a.sha256);
    const files = unzipSync(fs.readFileSync(a.file));
    expect(Object.keys(files)).toEqual(["task_definition_cleaner.py"]);
  });

  test("Terraform invokes it on create, update and destroy, with every service's family and Terraform's revisions", () => {
    expect(invocation.lifecycle_scope).toBe("CRUD");
    expect(invocation.function_name).toBe("${aws_lambda_function.task_definition_cleaner_function.function_name}");
    expect(invocation.input).toBe(
      '${jsonencode({"families" = ["shop-staging-api", "shop-staging-web"], "terraformRevisions" = [aws_ecs_task_definition.service_api_task.arn, aws_ecs_task_definition.service_web_task.arn]})}',
    );
    // The families are the services' own.
    expect(resource(staging, "aws_ecs_task_definition", "service_api_task").family).toBe("shop-staging-api");
    expect(resource(staging, "aws_ecs_task_definition", "service_web_task").family).toBe("shop-staging-web");
    // Destroyed before its policy (it must still be allowed to act), and, through the input, before
    // Terraform's revisions, which it leaves to Terraform's own DeregisterTaskDefinition.
    expect(invocation.depends_on).toEqual(["aws_iam_role_policy.task_definition_cleaner_role"]);
  });

  test("its addresses (a public contract)", () => {
    expect(addressesOf(staging).filter((a) => a.includes("task_definition_cleaner"))).toEqual([
      "aws_cloudwatch_log_group.task_definition_cleaner_logs",
      "aws_iam_role.task_definition_cleaner_role",
      "aws_iam_role_policy.task_definition_cleaner_role",
      "aws_lambda_function.task_definition_cleaner_function",
      "aws_lambda_invocation.task_definition_cleaner_destroy",
      "data.aws_iam_policy_document.task_definition_cleaner_role_policy",
      "data.aws_iam_policy_document.task_definition_cleaner_role_trust",
    ]);
  });

  test("refuses to be built without a family (it would clean nothing)", () => {
    const { stack } = bareStack();
    const encryptionKey = new EncryptionKey(stack, "key", { alias: "shop-staging", description: "test" });
    expect(() => new TaskDefinitionCleaner(stack, "cleaner", { namePrefix: "shop-staging", families: [], encryptionKey })).toThrow(/needs at least one family/);
  });

  test("one cleaner per environment; fleet environments have none", () => {
    expect(Object.keys(resourcesOfType(staging, "aws_lambda_invocation")).filter((k) => k.startsWith("task_definition_cleaner"))).toEqual(["task_definition_cleaner_destroy"]);
    const fleet = synthConfig(parseConfig({ app: { name: "shop", region: "eu-west-1" }, environments: { staging: { network: { cidr: "10.40.0.0/16" } } } } as any)).staging;
    expect(Object.keys(resourcesOfType(fleet, "aws_lambda_function")).filter((k) => k.startsWith("task_definition_cleaner"))).toEqual([]);
  });

  describe("least privilege, both ways", () => {
    const granted = statements(staging, "task_definition_cleaner_role_policy");
    const source = fs.readFileSync(TASK_DEFINITION_CLEANER_SOURCE, "utf8");
    const pascal = (s: string) => s.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());
    const used = new Set<string>();
    for (const m of source.matchAll(/\becs\.(\w+)\(/g)) if (m[1] !== "get_paginator") used.add(`ecs:${pascal(m[1])}`);
    for (const m of source.matchAll(/\becs\.get_paginator\("(\w+)"\)/g)) used.add(`ecs:${pascal(m[1])}`);

    test("the script's calls are what we expect", () => {
      expect([...used].sort()).toEqual(["ecs:DeleteTaskDefinitions", "ecs:DeregisterTaskDefinition", "ecs:ListTaskDefinitions"]);
    });

    test("every call is granted (on *: these actions have no resource type), and nothing else but its logs", () => {
      for (const action of used) expect([action, granted.some((s) => s.actions.some((a: string) => actionMatches(a, action)) && s.resources.includes("*"))]).toEqual([action, true]);
      const needed = new Set([...used, "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]);
      expect(granted.flatMap((s) => s.actions).filter((a: string) => !needed.has(a))).toEqual([]);
      // The log statements are scoped to its own group.
      for (const s of granted.filter((s) => s.actions.some((a: string) => a.startsWith("logs:")))) expect(s.resources.join(" ")).toContain("task_definition_cleaner_logs");
    });
  });
});

describe("what the function does (templates/ecs/task_definition_cleaner.py against an ECS stand-in)", () => {
  const arn = (family: string, revision: number) => `arn:aws:ecs:eu-west-1:123456789012:task-definition/${family}:${revision}`;
  const families = ["shop-staging-api", "shop-staging-web"];
  const terraformRevisions = [arn("shop-staging-api", 1), arn("shop-staging-web", 1)];
  const input = { families, terraformRevisions };
  function run(scenario: Record<string, unknown>): { result?: any; error?: string; calls: any[]; revisions: Record<string, string> } {
    const out = spawnSync("python3", [path.join(__dirname, "helpers", "task_definition_cleaner_harness.py"), TASK_DEFINITION_CLEANER_SOURCE, JSON.stringify(scenario)], { encoding: "utf8" });
    if (out.status !== 0) throw new Error(out.stderr);
    return JSON.parse(out.stdout);
  }
  const released = {
    [arn("shop-staging-api", 1)]: "ACTIVE",
    [arn("shop-staging-api", 2)]: "ACTIVE",
    [arn("shop-staging-api", 3)]: "ACTIVE",
    [arn("shop-staging-web", 1)]: "ACTIVE",
    [arn("shop-staging-web", 2)]: "ACTIVE",
    // Another family sharing the prefix (ListTaskDefinitions' familyPrefix is a prefix): not ours.
    [arn("shop-staging-web2", 1)]: "ACTIVE",
  };

  test("delete: every released revision is deregistered and then deleted; Terraform's revisions and other families are left alone", () => {
    const out = run({ revisions: released, event: { ...input, tf: { action: "delete" } } });
    expect(out.revisions).toEqual({
      [arn("shop-staging-api", 1)]: "ACTIVE",
      [arn("shop-staging-api", 2)]: "DELETE_IN_PROGRESS",
      [arn("shop-staging-api", 3)]: "DELETE_IN_PROGRESS",
      [arn("shop-staging-web", 1)]: "ACTIVE",
      [arn("shop-staging-web", 2)]: "DELETE_IN_PROGRESS",
      [arn("shop-staging-web2", 1)]: "ACTIVE",
    });
    expect(out.calls.filter((c) => c[0] !== "list")).toEqual([
      ["deregister", arn("shop-staging-api", 2)],
      ["deregister", arn("shop-staging-api", 3)],
      ["deregister", arn("shop-staging-web", 2)],
      ["delete", [arn("shop-staging-api", 2), arn("shop-staging-api", 3), arn("shop-staging-web", 2)]],
    ]);
    expect(out.calls.filter((c) => c[0] === "list")).toEqual(families.map((f) => ["list", f, "ACTIVE"]));
    expect(out.result.deleted).toHaveLength(3);
  });

  test("delete: every page is read, and deletions go 10 at a time (DeleteTaskDefinitions' limit)", () => {
    const many: Record<string, string> = { [arn("shop-staging-web", 1)]: "ACTIVE" };
    for (let r = 2; r <= 24; r++) many[arn("shop-staging-web", r)] = "ACTIVE";
    const out = run({ revisions: many, pageSize: 5, event: { ...input, tf: { action: "delete" } } });
    expect(out.calls.filter((c) => c[0] === "delete").map((c) => c[1].length)).toEqual([10, 10, 3]);
    expect(Object.entries(out.revisions).filter(([, s]) => s === "ACTIVE").map(([a]) => a)).toEqual([arn("shop-staging-web", 1)]);
  });

  test("delete: a refused deletion fails the invocation (so the destroy stops and says so)", () => {
    const out = run({ revisions: released, refuse: [arn("shop-staging-web", 2)], event: { ...input, tf: { action: "delete" } } });
    expect(out.error).toMatch(/DeleteTaskDefinitions refused: .*shop-staging-web:2/);
  });

  test("create and an unchanged update: only reports, changes nothing", () => {
    for (const tf of [{ action: "create" }, { action: "update", prev_input: input }]) {
      const out = run({ revisions: released, event: { ...input, tf } });
      expect(out.calls.filter((c) => c[0] !== "list")).toEqual([]);
      expect(out.revisions).toEqual(released);
      expect(out.result).toEqual({ active: { "shop-staging-api": [arn("shop-staging-api", 2), arn("shop-staging-api", 3)], "shop-staging-web": [arn("shop-staging-web", 2)] } });
    }
  });

  test("update after a service left the configuration: its family is cleaned, the others stay", () => {
    const now = { families: ["shop-staging-api"], terraformRevisions: [arn("shop-staging-api", 1)] };
    const out = run({ revisions: released, event: { ...now, tf: { action: "update", prev_input: input } } });
    expect(out.calls.filter((c) => c[0] !== "list")).toEqual([
      ["deregister", arn("shop-staging-web", 2)],
      ["delete", [arn("shop-staging-web", 2)]],
    ]);
    // Terraform deregisters its own revision of the removed service in the same apply.
    expect(out.revisions[arn("shop-staging-web", 1)]).toBe("ACTIVE");
  });
});
