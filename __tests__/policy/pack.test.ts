import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { App, Aspects, IAspect, TerraformStack, Testing } from "cdktf";
import { Construct, IConstruct } from "constructs";
import { ContainerRepository } from "../../constructs/container-repository";
import { EncryptionKey } from "../../constructs/encryption-key";
import { buildApp } from "../../lib/synth/build-app";
import { formatReport, runCheck } from "../../lib/synth/check";
import { runSynth } from "../../lib/synth/cli";
import { loadConfigFile } from "../../lib/config/load";
import { synthesize } from "../../lib/synth/synth";
import { applyPolicyPack, checkStack, evaluate, PolicyViolationError, policyReference, policyReports, policyRulesTable, RULES, suppress, suppressionsOf } from "../../policy";
import { EnvironmentStack } from "../../stacks/environment-stack";
import { captureConsole } from "../helpers/console";
import { bareStack, configWith } from "../helpers/synth";
import { emptyStack } from "./fixtures";

const root = path.join(__dirname, "..", "..");
const configs = [path.join("config", "default.yaml"), ...fs.readdirSync(path.join(root, "config", "examples")).map((f) => path.join("config", "examples", f))];

/** A group with SSH open to the world: fails SG.WORLD_ADMIN_PORTS. */
function openSsh(scope: Construct, id = "ssh"): VpcSecurityGroupIngressRule {
  const group = new SecurityGroup(scope, `${id}-group`, { description: "hosts" });
  return new VpcSecurityGroupIngressRule(scope, id, { securityGroupId: group.id, description: "SSH", ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" });
}

describe("suppressions", () => {
  test("apply per resource and per rule, with their reason, and are counted", () => {
    const stack = emptyStack();
    suppress(openSsh(stack, "accepted"), "SG.WORLD_ADMIN_PORTS", "break-glass host, removed after the migration");
    openSsh(stack, "rejected");
    const report = checkStack(stack, { rules: RULES.filter((r) => r.id.startsWith("SG.")) });
    const verdicts = report.findings.filter((f) => f.ruleId === "SG.WORLD_ADMIN_PORTS").map((f) => [f.address, f.status, f.reason]);
    expect(verdicts).toEqual([
      ["aws_vpc_security_group_ingress_rule.accepted", "suppressed", "break-glass host, removed after the migration"],
      ["aws_vpc_security_group_ingress_rule.rejected", "fail", undefined],
    ]);
    expect(report.summary.find((s) => s.ruleId === "SG.WORLD_ADMIN_PORTS")).toEqual({ ruleId: "SG.WORLD_ADMIN_PORTS", checked: 2, passed: 0, failed: 1, suppressed: 1 });
    expect(report.failures.map((f) => f.address)).toEqual(["aws_vpc_security_group_ingress_rule.rejected"]);
  });

  test("a suppression on a construct covers the resources below it; the innermost declaration wins", () => {
    const stack = emptyStack();
    const owner = new Construct(stack, "bastion");
    const rule = openSsh(owner);
    suppress(owner, "SG.WORLD_ADMIN_PORTS", "the bastion is reached from anywhere by design");
    suppress(rule, "SG.WORLD_ADMIN_PORTS", "more specific reason for this very rule");
    const group = owner.node.findChild("ssh-group") as SecurityGroup;
    expect(suppressionsOf(stack)).toEqual([
      { address: `aws_security_group.${group.friendlyUniqueId}`, ruleId: "SG.WORLD_ADMIN_PORTS", reason: "the bastion is reached from anywhere by design", declaredAt: "test/bastion" },
      { address: `aws_vpc_security_group_ingress_rule.${rule.friendlyUniqueId}`, ruleId: "SG.WORLD_ADMIN_PORTS", reason: "more specific reason for this very rule", declaredAt: "test/bastion/ssh" },
    ]);
  });

  test("reasons are required, rule ids must be well formed, and whole stacks cannot be suppressed", () => {
    const stack = emptyStack();
    const rule = openSsh(stack);
    expect(() => suppress(rule, "SG.WORLD_ADMIN_PORTS", "")).toThrow(/give a reason of at least 10 characters/);
    expect(() => suppress(rule, "SG.WORLD_ADMIN_PORTS", "   ok   ")).toThrow(/give a reason/);
    expect(() => suppress(rule, "sg-world", "a perfectly fine reason")).toThrow(/a rule id looks like FAMILY\.NAME/);
    expect(() => suppress(stack, "SG.WORLD_ADMIN_PORTS", "a perfectly fine reason")).toThrow(/not on a whole stack or app/);
  });

  test("a suppression of a rule that does not exist is an error, not a silent no-op", () => {
    const stack = emptyStack();
    suppress(openSsh(stack), "SG.WORLD_ADMIN_PORT", "typo in the rule id must not hide anything");
    expect(() => checkStack(stack)).toThrow(/Suppression of SG\.WORLD_ADMIN_PORT on aws_vpc_security_group_ingress_rule\.ssh \(declared at test\/ssh\): no rule has this id/);
  });

  test("suppressions that match no failure are reported as unused", () => {
    const stack = emptyStack();
    const group = new SecurityGroup(stack, "web", { description: "web" });
    const https = new VpcSecurityGroupIngressRule(stack, "https", { securityGroupId: group.id, description: "HTTPS", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" });
    suppress(https, "SG.WORLD_ADMIN_PORTS", "nothing to suppress here, on purpose");
    expect(checkStack(stack).unusedSuppressions.map((s) => s.address)).toEqual(["aws_vpc_security_group_ingress_rule.https"]);
  });

  test("the JSON-level API validates suppressions against the stack", () => {
    expect(() => evaluate({ resource: {} }, RULES, { suppressions: [{ address: "aws_s3_bucket.x", ruleId: "S3.VERSIONING", reason: "whatever it is" }] })).toThrow(/the stack has no such resource/);
  });
});

describe("the aspect", () => {
  function synthApp(build: (stack: TerraformStack) => void): () => void {
    const app = Testing.app({ stackTraces: false });
    const stack = new TerraformStack(app, "weak");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    build(stack);
    applyPolicyPack(app);
    return () => app.synth();
  }

  test("fails synthesis with an error annotation naming the rule, the address and the fix", () => {
    const run = synthApp((stack) => openSsh(new Construct(stack, "hosts")));
    expect(run).toThrow(/Encountered Annotations with level "ERROR"/);
    expect(run).toThrow(
      /\[weak\/hosts\/ssh\] SG\.WORLD_ADMIN_PORTS aws_vpc_security_group_ingress_rule\.hosts_ssh_\w+: ingress from 0\.0\.0\.0\/0 reaches port 22 \(SSH\)\. Fix: Remove the rule and use SSM Session Manager/,
    );
  });

  test("a compliant or suppressed stack synthesizes", () => {
    expect(synthApp((stack) => suppress(openSsh(stack), "SG.WORLD_ADMIN_PORTS", "lab host on an isolated network"))).not.toThrow();
  });

  test("checks the finished stack, after every other aspect ran", () => {
    // An aspect that opens SSH after the fact: a check at visit time would miss it.
    class Loosen implements IAspect {
      visit(node: IConstruct): void {
        if (node instanceof VpcSecurityGroupIngressRule) node.cidrIpv4 = "0.0.0.0/0";
      }
    }
    const run = synthApp((stack) => {
      const group = new SecurityGroup(stack, "web", { description: "web" });
      new VpcSecurityGroupIngressRule(stack, "ssh", { securityGroupId: group.id, description: "SSH", ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "198.51.100.0/24" });
      Aspects.of(stack).add(new Loosen());
    });
    expect(run).toThrow(/SG\.WORLD_ADMIN_PORTS aws_vpc_security_group_ingress_rule\.ssh: ingress from 0\.0\.0\.0\/0/);
  });

  test("a malformed suppression fails synthesis as a validation error", () => {
    const run = synthApp((stack) => suppress(openSsh(stack), "SG.NO_SUCH_RULE", "a reason that is long enough"));
    expect(run).toThrow(/no rule has this id/);
  });

  test("every stack built by buildApp carries the pack, with protection from the configuration", () => {
    const config = configWith({ environments: { qa: { protection: false, network: { cidr: "10.10.0.0/16" } }, live: { network: { cidr: "10.20.0.0/16" } } } });
    const reports = policyReports(buildApp(Testing.app({ stackTraces: false }), config));
    expect(reports.map((r) => [r.stack, r.protection])).toEqual([
      ["webapp-qa", false],
      ["webapp-live", true],
    ]);
  });
});

describe("configurations", () => {
  test.each(configs)("%s: every stack passes with zero unsuppressed failures", (file) => {
    const reports = policyReports(buildApp(Testing.app({ stackTraces: false }), loadConfigFile(path.join(root, file))));
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.flatMap((r) => r.failures)).toEqual([]);
    // The pack really looked at the stacks.
    expect(reports.every((r) => r.findings.length > 20)).toBe(true);
  });

  test("ALL suppressions of the default and example configurations (a new one must show up here in review)", () => {
    const all = Object.fromEntries(
      configs.map((file) => {
        const stacks = buildApp(Testing.app({ stackTraces: false }), loadConfigFile(path.join(root, file)));
        return [file, stacks.flatMap((stack) => suppressionsOf(stack).map((s) => `${stack.node.id} ${s.ruleId} ${s.address}: ${s.reason}`))];
      }),
    );
    const sharedAlb = (env: string) =>
      `portal-${env} SG.FLEET_INGRESS_FROM_LB aws_vpc_security_group_ingress_rule.network_instances_app_from_shared_alb: The peer is the shared load balancer's security group, read from the shared stack's outputs (data.terraform_remote_state.shared); the pack cannot see its type from here`;
    const publicFleet = (env: string) =>
      `intranet-${env} EC2.NO_PUBLIC_IP aws_launch_template.fleet_template: The configuration runs the fleet in public subnets (fleet.subnets: public), which have no NAT: a public IP is the instances' only way out`;
    const ssh = (env: string) =>
      `intranet-${env} SG.FLEET_INGRESS_FROM_LB aws_vpc_security_group_ingress_rule.network_instances_ssh_from_198_51_100_0_24: SSH from 198.51.100.0/24 is an explicit choice of the configuration (network.sshIngressCidrs); /0 is refused there`;
    const mutableTags = (env: string) =>
      `shop-${env} ECR.IMMUTABLE_TAGS aws_ecr_repository.artifacts_repository: the configuration turns immutable tags off (artifacts.containerRepository.immutableTags: false)`;
    expect(all).toEqual({
      "config/default.yaml": [],
      "config/examples/bastion-rds-frontend.yaml": [
        "portal-staging SG.FLEET_INGRESS_FROM_LB aws_vpc_security_group_ingress_rule.network_instances_ssh_from_network_bastion: SSH from the bastion's security group is an explicit choice of the configuration (bastion.sshToFleet)",
        "portal-staging EC2.NO_PUBLIC_IP aws_instance.bastion: A bastion reached over SSH from bastion.sshIngressCidrs needs a public address; its group admits only those CIDRs",
      ],
      "config/examples/dedicated-https-cdn.yaml": [],
      "config/examples/docker-in-place.yaml": [],
      "config/examples/ecs.yaml": [],
      "config/examples/hosts.yaml": [mutableTags("staging"), mutableTags("production")],
      "config/examples/shared-alb.yaml": [sharedAlb("qa"), sharedAlb("staging"), sharedAlb("production")],
      "config/examples/single-env-s3-hcl.yaml": [],
      "config/examples/terraform-cloud.yaml": [ssh("staging"), publicFleet("staging"), ssh("production"), publicFleet("production")],
    });
  });

  test("mutable ECR tags chosen in the configuration are suppressed by the repository, with the reason", () => {
    const { stack } = bareStack();
    const key = new EncryptionKey(stack, "key", { alias: "a", description: "d" });
    new ContainerRepository(stack, "repo", { repositoryName: "app", encryptionKey: key, immutableTags: false });
    const finding = checkStack(stack).findings.find((f) => f.ruleId === "ECR.IMMUTABLE_TAGS");
    expect(finding).toMatchObject({ status: "suppressed", reason: expect.stringMatching(/artifacts\.containerRepository\.immutableTags: false/) });
  });
});

describe("npm run synth with a weakened stack", () => {
  /** Opens SSH to the world on every environment's instance group just before synthesis. */
  function weakenEveryStack() {
    const original = App.prototype.synth;
    return jest.spyOn(App.prototype, "synth").mockImplementation(function (this: App) {
      for (const stack of this.node.findAll().filter((n): n is EnvironmentStack => n instanceof EnvironmentStack)) {
        stack.instanceSecurityGroup.allowIngress("ssh", { cidr: "0.0.0.0/0" }, { from: 22 }, "SSH from anywhere");
      }
      original.call(this);
    });
  }

  test("fails with every violation of every stack, and leaves the previous output untouched", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-"));
    const outdir = path.join(dir, "cdktf.out");
    const generatedDir = path.join(dir, "generated");
    const config = path.join(root, "config", "default.yaml");
    await synthesize({ configFile: config, outdir, generatedDir });
    const generatedBefore = fs.readFileSync(path.join(generatedDir, "staging", "appspec.yml"), "utf8");
    const before = fs.readFileSync(path.join(outdir, "stacks", "webapp-staging", "cdk.tf.json"), "utf8");

    const spy = weakenEveryStack();
    fs.writeFileSync(path.join(generatedDir, "staging", "appspec.yml"), "changed by hand");
    const failure = await synthesize({ configFile: config, outdir, generatedDir }).catch((e) => e);
    expect(fs.readFileSync(path.join(generatedDir, "staging", "appspec.yml"), "utf8")).toBe("changed by hand");
    expect(generatedBefore).toContain("ApplicationStop");
    spy.mockRestore();

    expect(failure).toBeInstanceOf(PolicyViolationError);
    const address = "aws_vpc_security_group_ingress_rule.network_instances_ssh_from_0_0_0_0_0";
    // SSH from the world breaks two rules: admin port open to the world, and fleet ingress not from the ALB.
    expect(failure.message).toMatch(/^Policy check failed: 4 violation\(s\) in 2 of 2 stack\(s\); nothing was written, the previous output is unchanged\./);
    for (const stack of ["webapp-staging", "webapp-production"]) {
      expect(failure.message).toContain(
        `\n${stack}\n  SG.WORLD_ADMIN_PORTS  ${address}\n    problem: ingress from 0.0.0.0/0 reaches port 22 (SSH)\n    fix:     Remove the rule and use SSM Session Manager`,
      );
    }
    expect(fs.readFileSync(path.join(outdir, "stacks", "webapp-staging", "cdk.tf.json"), "utf8")).toBe(before);
    expect(fs.readdirSync(dir).sort()).toEqual(["cdktf.out", "generated"]);
  });

  test("the CLI prints the violations without a stack trace and exits 1", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-"));
    const outdir = path.join(dir, "out");
    const spy = weakenEveryStack();
    const c = captureConsole();
    const code = await runSynth(["--config", path.join(root, "config", "default.yaml"), "--out", outdir, "--generated", path.join(dir, "generated")], {});
    c.restore();
    spy.mockRestore();
    expect(code).toBe(1);
    const stderr = c.err.join("\n");
    expect(stderr).toMatch(/^Policy check failed/);
    expect(stderr).toContain("SG.WORLD_ADMIN_PORTS  aws_vpc_security_group_ingress_rule.network_instances_ssh_from_0_0_0_0_0");
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test("a successful synth reports the policy checks", async () => {
    const c = captureConsole();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-"));
    const code = await runSynth(["--config", path.join(root, "config", "default.yaml"), "--out", path.join(dir, "out"), "--generated", path.join(dir, "generated")], {});
    c.restore();
    expect(code).toBe(0);
    expect(c.out.join("\n")).toMatch(/Policy pack: \d+ check\(s\) passed, 0 suppressed failure\(s\); details with npm run check\./);
  });
});

describe("npm run check", () => {
  test("prints a table per stack and exits 0 for the default configuration", async () => {
    const c = captureConsole();
    const code = await runCheck([], {});
    c.restore();
    expect(code).toBe(0);
    const text = c.out.join("\n");
    expect(text).toMatch(/^webapp-staging \(protection off\)$/m);
    expect(text).toMatch(/^webapp-production \(protection on\)$/m);
    expect(text).toMatch(/│ rule +│ checked │ passed │ failed │ suppressed │/);
    expect(text).toMatch(/│ S3\.PUBLIC_ACCESS_BLOCK +│ 2 +│ 2 +│ 0 +│ 0 +│/);
    expect(text).toMatch(/config\/default\.yaml: 2 stack\(s\), 0 unsuppressed failure\(s\), 0 suppressed\./);
  });

  test("--config chooses the configuration; suppressed findings are listed with their reason", async () => {
    const c = captureConsole();
    const code = await runCheck(["--config", path.join(root, "config", "examples", "terraform-cloud.yaml")], {});
    c.restore();
    expect(code).toBe(0);
    const text = c.out.join("\n");
    expect(text).toMatch(/suppressed {2}SG\.FLEET_INGRESS_FROM_LB {2}aws_vpc_security_group_ingress_rule\.network_instances_ssh_from_198_51_100_0_24\n.*\n.*\n {4}reason: {2}SSH from 198\.51\.100\.0\/24 is an explicit choice/);
    expect(text).toMatch(/config\/examples\/terraform-cloud\.yaml: 2 stack\(s\), 0 unsuppressed failure\(s\), 4 suppressed\./);
  });

  test("failures and suppressed findings are listed with their problem and fix or reason", () => {
    const stack = emptyStack();
    openSsh(stack, "open");
    suppress(openSsh(stack, "accepted"), "SG.WORLD_ADMIN_PORTS", "isolated lab network, no internet route");
    const text = formatReport(checkStack(stack));
    expect(text).toMatch(/│ SG\.WORLD_ADMIN_PORTS +│ 2 +│ 0 +│ 1 +│ 1 +│/);
    expect(text).toContain("FAILED  SG.WORLD_ADMIN_PORTS  aws_vpc_security_group_ingress_rule.open\n    problem: ingress from 0.0.0.0/0 reaches port 22 (SSH)\n    fix:     Remove the rule");
    expect(text).toContain("suppressed  SG.WORLD_ADMIN_PORTS  aws_vpc_security_group_ingress_rule.accepted\n    problem: ingress from 0.0.0.0/0 reaches port 22 (SSH)\n    reason:  isolated lab network, no internet route");
  });

  test("bad arguments and invalid configurations", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-"));
    const bad = path.join(dir, "bad.yaml");
    fs.writeFileSync(bad, "app: { name: webapp, region: eu-west-1 }\nenvironments: {}\n");
    const c = captureConsole();
    expect(await runCheck(["--bogus"], {})).toBe(2);
    expect(await runCheck(["--config", bad], {})).toBe(1);
    c.restore();
    expect(c.err.join("\n")).toMatch(/Unknown option '--bogus'[\s\S]*Usage: npm run check[\s\S]*Invalid configuration/);
  });
});

describe("documentation", () => {
  test("docs/policy-rules.md is current (regenerate with npm run docs)", () => {
    expect(fs.readFileSync(path.join(root, "docs", "policy-rules.md"), "utf8")).toBe(policyReference());
  });

  test("the rules table of docs/policy-pack.md is current (regenerate with npm run docs)", () => {
    const page = fs.readFileSync(path.join(root, "docs", "policy-pack.md"), "utf8");
    const table = /<!-- policy-rules:start -->\n([\s\S]*?)\n<!-- policy-rules:end -->/.exec(page);
    expect(table?.[1]).toBe(policyRulesTable());
  });

  test("policy/ is self-contained (cdktf and constructs only), so other apps can take the folder", () => {
    const files = fs.readdirSync(path.join(root, "policy"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    const imports = files.flatMap((f) => [...fs.readFileSync(path.join(root, "policy", f), "utf8").matchAll(/from "([^"]+)"/g)].map((m) => path.posix.join(path.posix.dirname(f), m[1])));
    expect(imports.filter((i) => !["cdktf", "constructs"].includes(i) && i.startsWith(".."))).toEqual([]);
  });

  test("every rule says why and how to fix it", () => {
    for (const rule of RULES) {
      expect([rule.id, rule.title.length > 20, rule.rationale.length > 40, rule.fix.length > 20]).toEqual([rule.id, true, true, true]);
    }
  });
});
