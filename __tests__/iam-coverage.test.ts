// Every AWS call of what the product generates must be allowed by the role that runs it, on the
// resource it touches (__tests__/helpers/iam-coverage.ts explains the method). For the default
// and every example configuration: no unmapped command, no unresolved resource, nothing denied.
import * as fs from "fs";
import * as path from "path";
import { loadConfigFile } from "../lib/config/load";
import { releaseFiles } from "../lib/release/release-files";
import { StackView } from "../policy/terraform";
import {
  ACCOUNT,
  AWS_CLI,
  Coverage,
  coverageOf,
  evaluate,
  Evaluated,
  ResolvedStatement,
  Resolver,
  rolePolicies,
  scanShell,
  ScanResult,
  unusedGrants,
  Unused,
} from "./helpers/iam-coverage";
import { configWith, synthConfig } from "./helpers/synth";

const root = path.join(__dirname, "..");
const configs = ["config/default.yaml", ...fs.readdirSync(path.join(root, "config", "examples")).filter((f) => /\.ya?ml$/.test(f)).map((f) => `config/examples/${f}`)];

const show = (e: Evaluated) =>
  `${e.file}${e.line ? `:${e.line}` : ""} [${e.roleName}] ${e.command}\n    → ${e.action} on ${e.resource}${e.service ? ` (${e.service})` : ""}`;

const all: Array<{ config: string; coverage: Coverage }> = [];

describe.each(configs)("%s", (configFile) => {
  const config = loadConfigFile(path.join(root, configFile));
  const coverage = coverageOf(config, synthConfig(config));
  all.push({ config: configFile, coverage });

  test("every file that runs with a role is found, and every role and policy is known", () => {
    expect(coverage.problems).toEqual([]);
    expect(Object.values(coverage.files).flat().length).toBeGreaterThan(0);
  });

  test("every AWS command is in the mapping table", () => {
    expect(coverage.unmapped.map((u) => `${u.file}:${u.line}: ${u.command} — ${u.detail}`)).toEqual([]);
  });

  test("every resource a call touches resolves to the stack's values", () => {
    expect(coverage.unresolved.map((u) => `${u.file}:${u.line}: ${u.command} — ${u.detail}`)).toEqual([]);
  });

  test("every call is allowed by the identity policies of the role that runs it", () => {
    expect(coverage.evaluated.filter((e) => !e.decision.allowed).map(show)).toEqual([]);
    expect(coverage.evaluated.length).toBeGreaterThan(0);
  });
});

describe("what the coverage sees", () => {
  test("plain hosts (hosts example): the workflow deploys through the environment's document to its host only; the host deploys with its own role", () => {
    const coverage = all.find((a) => a.config === "config/examples/hosts.yaml")!.coverage;
    const staging = coverage.evaluated.filter((e) => e.stack === "shop-staging");
    const by = (role: string, action: string) => staging.filter((e) => e.roleName === role && e.action === action).map((e) => e.resource);
    const region = "arn:aws:ssm:eu-west-1:123456789012";
    expect([...new Set(by("shop-staging-github-actions", "ssm:SendCommand"))].sort()).toEqual(["arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0", `${region}:document/shop-staging-deploy`]);
    expect(by("shop-staging-github-actions", "ssm:GetParameter")).toEqual([`${region}:parameter/shop/staging/release/host-instance-id`]);
    expect(by("shop-staging-github-actions", "ecr:DescribeImages")).toEqual(["arn:aws:ecr:eu-west-1:123456789012:repository/shop-staging"]);
    expect(new Set(by("shop-staging-github-actions", "ssm:GetCommandInvocation"))).toEqual(new Set(["*"]));
    // The deploy script, on the host: env file, ECR pull by digest (and the rollback's pull), container logs.
    const deploy = staging.filter((e) => e.file.endsWith("aws_ssm_document.deploy_document.content"));
    expect(new Set(deploy.map((e) => e.roleName))).toEqual(new Set(["shop-staging-host"]));
    expect([...new Set(deploy.map((e) => `${e.action} ${e.resource}`))].sort()).toEqual([
      "ecr:BatchGetImage arn:aws:ecr:eu-west-1:123456789012:repository/shop-staging",
      "ecr:GetAuthorizationToken *",
      "ecr:GetDownloadUrlForLayer arn:aws:ecr:eu-west-1:123456789012:repository/shop-staging",
      "kms:Decrypt arn:aws:kms:eu-west-1:123456789012:key/environment_key",
      "logs:CreateLogStream arn:aws:logs:eu-west-1:123456789012:log-group:/app/shop/staging/application:log-stream:container-id",
      "logs:PutLogEvents arn:aws:logs:eu-west-1:123456789012:log-group:/app/shop/staging/application:log-stream:container-id",
      `ssm:GetParametersByPath ${region}:parameter/shop/staging/env/`,
    ]);
    expect(deploy.every((e) => e.decision.allowed)).toBe(true);
    // Nothing the host stack adds for the deploy is granted without a use.
    const unused = unusedGrants(coverage).filter((u) => u.stack === "shop-staging" && /ssm:(SendCommand|GetCommandInvocation|GetParameter|GetParametersByPath)|ecr:DescribeImages/.test(u.action));
    expect(unused).toEqual([]);
  });

  test("the scripts, buildspecs, workflow and user data of every platform", () => {
    const files = all.flatMap((a) => Object.values(a.coverage.files).flat());
    for (const pattern of [
      /aws_launch_template\.fleet_template\.user_data$/,
      /aws_launch_template\.cluster_template\.user_data$/,
      /aws_instance\.host_instance\.user_data$/,
      /^generated\/\w+\/scripts\/before-install\.sh$/,
      /^generated\/\w+\/buildspec\.yml$/,
      /^generated\/\w+\/release\/build-image\.sh$/,
      /^generated\/\w+\/\.github\/workflows\/.+\.yml$/,
      /^generated\/\w+\/bitbucket-pipelines\.yml$/,
      /^generated\/\w+\/Jenkinsfile$/,
      /aws_ssm_document\.deploy_document\.content$/,
      /^generated\/\w+\/ansible\/playbook\.yml$/,
      /^generated\/\w+\/ansible\/files\/[\w-]+-env-sync$/,
      /aws_codebuild_project\.service_api_build_project\.source\.buildspec$/,
      /aws_codebuild_project\.service_api_deploy_project\.source\.buildspec$/,
    ]) {
      expect({ pattern: String(pattern), found: files.some((f) => pattern.test(f)) }).toEqual({ pattern: String(pattern), found: true });
    }
    const commands = new Set(all.flatMap((a) => [...a.coverage.commands]));
    for (const c of ["aws ssm get-parameter", "aws ssm get-parameters-by-path", "aws ecr get-login-password", "aws ecr describe-images", "docker push", "docker pull", "docker run", "uses: aws-actions/amazon-ecr-login",
      "aws ecs describe-task-definition", "aws ecs register-task-definition", "aws ecs update-service", "aws ecs describe-services",
      "aws ssm send-command", "aws ssm get-command-invocation", "docker compose", "amazon-cloudwatch-agent-ctl -a fetch-config"]) {
      expect(commands).toContain(c);
    }
  });

  test("the requests AWS authorizes: the path string for GetParametersByPath, the repository for DescribeImages", () => {
    const evaluated = all.find((a) => a.config.endsWith("docker-in-place.yaml"))!.coverage.evaluated.filter((e) => e.stack === "shop-staging");
    expect(evaluated.find((e) => e.action === "ssm:GetParametersByPath")).toMatchObject({
      resource: `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/shop/staging/env/`,
      roleName: "shop-staging-instance",
      decision: { allowed: true },
    });
    expect(evaluated.filter((e) => e.action === "ecr:DescribeImages").map((e) => [e.file, e.resource, e.roleName, e.decision.allowed])).toContainEqual([
      "generated/staging/release/build-image.sh",
      `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/shop-staging`,
      "shop-staging-build",
      true,
    ]);
    // The hooks read the release values the stack stores; the awslogs driver writes to the application log group.
    expect(evaluated.filter((e) => e.action === "ssm:GetParameter").map((e) => e.resource)).toContain(`arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/shop/staging/release/ecr-repository-url`);
    expect(evaluated.filter((e) => e.file.endsWith("application-start.sh") && e.action === "logs:PutLogEvents").map((e) => e.resource)).toEqual([
      `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/app/shop/staging/application:log-stream:i-0123456789abcdef0/container`,
    ]);
  });

  test("the ECS deploy step: Terraform's parameter, its task's two roles passed to ecs-tasks, tags only on new revisions of its family, its own service", () => {
    const evaluated = all.find((a) => a.config.endsWith("ecs.yaml"))!.coverage.evaluated.filter((e) => e.stack === "shop-staging" && e.roleName === "shop-staging-api-deploy-build");
    const arn = (service: string, resource: string) => `arn:aws:${service}:eu-west-1:${ACCOUNT}:${resource}`;
    expect(evaluated.filter((e) => e.file.endsWith("service_api_deploy_project.source.buildspec")).map((e) => [e.action, e.resource, e.context ?? {}, e.decision.allowed])).toEqual([
      ["ssm:GetParameter", arn("ssm", "parameter/shop/staging/release/api/task-definition"), {}, true],
      ["ecs:DescribeTaskDefinition", "*", {}, true],
      ["ecs:RegisterTaskDefinition", "*", {}, true],
      ["iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/shop-staging-api-task`, { "iam:PassedToService": "ecs-tasks.amazonaws.com" }, true],
      ["iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/shop-staging-api-execution`, { "iam:PassedToService": "ecs-tasks.amazonaws.com" }, true],
      ["ecs:TagResource", arn("ecs", "task-definition/shop-staging-api:2"), { "ecs:CreateAction": "RegisterTaskDefinition" }, true],
      ["ecs:UpdateService", arn("ecs", "service/shop-staging/api"), {}, true],
      ["ecs:DescribeServices", arn("ecs", "service/shop-staging/api"), {}, true],
    ]);
  });

  test("the ECS blue/green prepare step: Terraform's parameter and its revision, nothing else", () => {
    const evaluated = all.find((a) => a.config.endsWith("ecs.yaml"))!.coverage.evaluated.filter((e) => e.stack === "shop-staging" && e.file.endsWith("service_web_prepare_project.source.buildspec"));
    expect(evaluated.map((e) => [e.roleName, e.action, e.resource, e.decision.allowed])).toEqual([
      ["shop-staging-web-prepare-build", "ssm:GetParameter", `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/shop/staging/release/web/task-definition`, true],
      ["shop-staging-web-prepare-build", "ecs:DescribeTaskDefinition", "*", true],
    ]);
  });

  test("third-party CI files: each call with the environment's CI role, on this environment's resources only", () => {
    const ci = (config: string, stack: string) =>
      all.find((a) => a.config.endsWith(config))!.coverage.evaluated.filter((e) => e.stack === stack && e.roleName === `${stack}-ci`).map((e) => [e.file, e.action, e.resource, e.decision.allowed]);
    // Fleet: the bucket's name from SSM, then the one object the pipeline's S3 source watches (GitHub Actions; Bitbucket).
    expect(ci("docker-in-place.yaml", "shop-production")).toEqual([
      ["generated/production/.github/workflows/shop-production-release.yml", "ssm:GetParameter", `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/shop/production/release/artifact-bucket`, true],
      ["generated/production/.github/workflows/shop-production-release.yml", "s3:PutObject", "arn:aws:s3:::shop-production-artifacts-20240101000000000000000001/releases/shop.zip", true],
    ]);
    expect(ci("single-env-s3-hcl.yaml", "billing-prod")).toEqual([
      ["generated/prod/bitbucket-pipelines.yml", "ssm:GetParameter", "arn:aws:ssm:us-east-1:210987654321:parameter/billing/prod/release/artifact-bucket", true],
      ["generated/prod/bitbucket-pipelines.yml", "s3:PutObject", "arn:aws:s3:::billing-prod-artifacts-20240101000000000000000001/pipeline-source/source.zip", true],
    ]);
    expect(ci("bastion-rds-frontend.yaml", "portal-staging")).toEqual([
      ["generated/staging/Jenkinsfile", "ssm:GetParameter", `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/portal/staging/release/artifact-bucket`, true],
      ["generated/staging/Jenkinsfile", "s3:PutObject", "arn:aws:s3:::portal-staging-artifacts-20240101000000000000000001/pipeline-source/source.zip", true],
    ]);
  });

  test("CodeBuild's S3 cache of a Node.js project: downloaded and uploaded with the project's role, under its prefix, by the cache grant", () => {
    const cache = all.find((a) => a.config === "config/default.yaml")!.coverage.evaluated.filter((e) => e.stack === "webapp-staging" && /the build cache$/.test(e.command));
    expect(cache.map((e) => [e.command, e.action, e.roleName, e.decision.allowed])).toEqual([
      ["download the build cache", "s3:GetObject", "webapp-staging-build", true],
      ["upload the build cache", "s3:PutObject", "webapp-staging-build", true],
    ]);
    for (const e of cache) {
      expect(e.resource).toMatch(new RegExp(`^arn:aws:s3:::webapp-staging-artifacts-\\d+/build-cache/webapp-staging/`));
      expect(e.decision.allowedBy.some((label) => label.endsWith("(BuildCache)"))).toBe(true);
    }
  });

  test("conditions that cannot be decided statically are listed", () => {
    const undecided = [...new Set(all.flatMap((a) => a.coverage.evaluated.flatMap((e) => e.decision.undecided)))];
    // Every condition of the evaluated roles' statements is decided from the request context today.
    expect(undecided).toEqual([]);
  });

  afterAll(() => {
    const configsCount = all.length;
    const distinct = new Set(all.flatMap((a) => [...a.coverage.commands]));
    const files = all.map((a) => `${a.config}: ${Object.values(a.coverage.files).flat().length}`);
    const report = unusedReport(all.flatMap((a) => unusedGrants(a.coverage)));
    console.log(
      [
        `IAM coverage: ${distinct.size} distinct commands (${[...distinct].sort().join(", ")}) in ${configsCount} configurations; files scanned: ${files.join("; ")}`,
        "Granted but used by no script and no AWS service on the role's behalf (CodeBuild, CodeDeploy agent, CloudWatch agent, ECS agent) — review, not a failure:",
        ...report,
      ].join("\n"),
    );
  });
});

/**
 * One line per role kind and resource (application, environment, region and account generalized),
 * its unused actions and the number of stacks: `build: kms:Encrypt, kms:ReEncrypt* on kms key/environment_key (10 stacks)`.
 */
function unusedReport(unused: Unused[]): string[] {
  const lines = new Map<string, { actions: Set<string>; stacks: Set<string> }>();
  for (const u of unused) {
    const stackPrefix = u.stack;
    const [app, ...env] = stackPrefix.split("-");
    const kind = u.roleName.startsWith(`${stackPrefix}-`) ? u.roleName.slice(stackPrefix.length + 1) : u.roleName;
    const resource = u.resource
      .replace(/^arn:aws:([\w-]+):[\w-]*:(\d{12})?:/, "$1 ")
      .replace(/^arn:aws:s3:::/, "s3 ")
      .split(stackPrefix)
      .join("<app>-<env>")
      .split(`/${app}/${env.join("-")}/`)
      .join("/<app>/<env>/")
      .replace(/-\d{26}/, "-*");
    const key = `  ${kind}: ⟨actions⟩ on ${resource}`;
    const line = lines.get(key) ?? { actions: new Set(), stacks: new Set() };
    line.actions.add(u.action);
    line.stacks.add(u.stack);
    lines.set(key, line);
  }
  return [...lines]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, line]) => `${key.replace("⟨actions⟩", [...line.actions].sort().join(", "))} (${line.stacks.size} stacks)`);
}

describe("the test can fail", () => {
  const config = configWith({ environments: { staging: { network: { cidr: "10.10.0.0/16" }, application: { runtime: "docker" } } } });
  const json = synthConfig(config).staging;
  const view = new StackView(json);
  const resolver = new Resolver(view, "eu-west-1");
  const build = rolePolicies(view, resolver, "aws_iam_role.build_role");
  const instance = rolePolicies(view, resolver, "aws_iam_role.fleet_role");
  const describeImages = { action: "ecr:DescribeImages", resource: `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/webapp-staging` };

  test("without ecr:DescribeImages in the build role, describe-images of build-image.sh is denied", () => {
    expect(evaluate(build.statements, describeImages).allowed).toBe(true);
    const weakened: ResolvedStatement[] = build.statements.map((s) => ({ ...s, actions: s.actions.filter((a) => a !== "ecr:DescribeImages") }));
    expect(evaluate(weakened, describeImages)).toMatchObject({ allowed: false, explicitDeny: false, allowedBy: [] });

    // The same through the whole pipeline: coverage of the stack with the grant removed reports the build script.
    const mutated = JSON.parse(JSON.stringify(json));
    for (const s of mutated.data.aws_iam_policy_document.build_role_policy.statement) s.actions = s.actions.filter((a: string) => a !== "ecr:DescribeImages");
    const denied = coverageOf(config, { staging: mutated }).evaluated.filter((e) => !e.decision.allowed);
    // The tag checks (one per call site of tag_exists) and the digest lookup.
    expect(denied.length).toBeGreaterThanOrEqual(2);
    expect([...new Set(denied.map((e) => `${e.file} ${e.action} ${e.roleName}`))]).toEqual(["generated/staging/release/build-image.sh ecr:DescribeImages webapp-staging-build"]);
  });

  test("the ECS deploy role without its PassRole grants cannot register the next revision; passing the roles to another service is denied", () => {
    const ecs = loadConfigFile(path.join(root, "config/examples/ecs.yaml"));
    const staging = synthConfig(ecs).staging;
    const denied = (json: Record<string, any>) =>
      coverageOf(ecs, { staging: json }).evaluated.filter((e) => !e.decision.allowed && e.roleName === "shop-staging-api-deploy-build").map((e) => `${e.action} ${e.resource}`);
    expect(denied(staging)).toEqual([]);
    const mutated = JSON.parse(JSON.stringify(staging));
    const statements = mutated.data.aws_iam_policy_document.service_api_deploy_role_policy.statement;
    mutated.data.aws_iam_policy_document.service_api_deploy_role_policy.statement = statements.filter((s: any) => !s.actions.includes("iam:PassRole"));
    expect(denied(mutated)).toEqual([`iam:PassRole arn:aws:iam::${ACCOUNT}:role/shop-staging-api-task`, `iam:PassRole arn:aws:iam::${ACCOUNT}:role/shop-staging-api-execution`]);
    const view = new StackView(staging);
    const deploy = rolePolicies(view, new Resolver(view, "eu-west-1"), "aws_iam_role.service_api_deploy_role");
    const pass = { action: "iam:PassRole", resource: `arn:aws:iam::${ACCOUNT}:role/shop-staging-api-task` };
    expect(evaluate(deploy.statements, { ...pass, context: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } }).allowed).toBe(true);
    expect(evaluate(deploy.statements, { ...pass, context: { "iam:PassedToService": "ec2.amazonaws.com" } }).allowed).toBe(false);
  });

  test("a CI role without its source-object grant cannot start a release", () => {
    const fleet = loadConfigFile(path.join(root, "config/examples/single-env-s3-hcl.yaml"));
    const prod = synthConfig(fleet).prod;
    const denied = (c: typeof fleet, json: Record<string, any>, env: string) =>
      coverageOf(c, { [env]: json }).evaluated.filter((e) => !e.decision.allowed && e.roleName.endsWith("-ci")).map((e) => `${e.file} ${e.action} ${e.resource}`);
    expect(denied(fleet, prod, "prod")).toEqual([]);
    const mutated = JSON.parse(JSON.stringify(prod));
    const doc = mutated.data.aws_iam_policy_document.ci_role_policy;
    doc.statement = doc.statement.filter((s: any) => s.sid !== "PipelineSource");
    expect(denied(fleet, mutated, "prod")).toEqual(["generated/prod/bitbucket-pipelines.yml s3:PutObject arn:aws:s3:::billing-prod-artifacts-20240101000000000000000001/pipeline-source/source.zip"]);

  });

  test("GetParametersByPath is authorized against the requested path string: a grant without the trailing slash does not match", () => {
    const path = `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/webapp/staging/env/`;
    expect(evaluate(instance.statements, { action: "ssm:GetParametersByPath", resource: path }).allowed).toBe(true);
    const old: ResolvedStatement[] = instance.statements.map((s) =>
      s.actions.includes("ssm:GetParametersByPath") ? { ...s, resources: [`arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/webapp/staging/env`] } : s,
    );
    expect(evaluate(old, { action: "ssm:GetParametersByPath", resource: path }).allowed).toBe(false);
  });

  test("an explicit Deny wins; wildcards follow IAM (`*`, `?`, case-insensitive actions); conditions are decided from the request", () => {
    const allow = (actions: string[], resources: string[], extra: Partial<ResolvedStatement> = {}): ResolvedStatement => ({
      label: "s",
      origin: "inline",
      effect: "Allow",
      actions,
      notActions: [],
      resources,
      notResources: [],
      principals: [],
      conditions: [],
      ...extra,
    });
    const request = { action: "ecr:DescribeImages", resource: "arn:aws:ecr:eu-west-1:1:repository/app" };
    expect(evaluate([allow(["ECR:describe*"], ["arn:aws:ecr:*:?:repository/*"])], request).allowed).toBe(true);
    expect(evaluate([allow(["ecr:*"], ["*"]), allow(["ecr:Describe*"], ["*"], { effect: "Deny" })], request)).toMatchObject({ allowed: false, explicitDeny: true });
    expect(evaluate([allow([], ["*"], { notActions: ["ecr:*"] })], request).allowed).toBe(false);
    const metrics = allow(["cloudwatch:PutMetricData"], ["*"], { conditions: [{ test: "StringEquals", variable: "cloudwatch:namespace", values: ["CWAgent"] }] });
    expect(evaluate([metrics], { action: "cloudwatch:PutMetricData", resource: "*", context: { "cloudwatch:namespace": "CWAgent" } }).allowed).toBe(true);
    expect(evaluate([metrics], { action: "cloudwatch:PutMetricData", resource: "*", context: { "cloudwatch:namespace": "Other" } }).allowed).toBe(false);
    expect(evaluate([metrics], { action: "cloudwatch:PutMetricData", resource: "*" })).toMatchObject({ allowed: true, undecided: ["s: StringEquals cloudwatch:namespace [\"CWAgent\"]"] });
  });

  test("an AWS command that the mapping table does not know is reported with its file and line", () => {
    const result: ScanResult = { accesses: [], unmapped: [], unresolved: [], commands: new Set() };
    const scan = { region: "eu-west-1", parameter: () => undefined, revisionFile: () => undefined };
    scanShell({ file: "scripts/new-hook.sh", role: "aws_iam_role.fleet_role", text: '#!/bin/bash\nset -e\n# aws s3 rm is only a comment here\nREGION=eu-west-1\naws ec2 terminate-instances --region "$REGION" --instance-ids i-1\n' }, scan, result);
    expect(result.unmapped).toEqual([
      {
        file: "scripts/new-hook.sh",
        line: 5,
        command: "aws ec2 terminate-instances --region eu-west-1 --instance-ids i-1",
        detail: "aws ec2 terminate-instances: not in the mapping table (AWS_CLI in __tests__/helpers/iam-coverage.ts)",
      },
    ]);
    expect(AWS_CLI["ec2 terminate-instances"]).toBeUndefined();
  });

  test("a resource that depends on a variable the stack does not give is reported, not guessed", () => {
    const result: ScanResult = { accesses: [], unmapped: [], unresolved: [], commands: new Set() };
    const scan = { region: "eu-west-1", parameter: () => undefined, revisionFile: () => undefined };
    scanShell({ file: "x.sh", role: "r", text: 'aws ssm get-parameter --name "$UNKNOWN/x"\n' }, scan, result);
    expect(result.unresolved.map((u) => u.detail)).toEqual([`ssm:GetParameter on arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/⟨UNKNOWN⟩/x`]);
    expect(result.accesses).toEqual([]);
  });

  test("the release files scanned are the ones synthesis writes (generated/ of the default configuration)", () => {
    const config = loadConfigFile(path.join(root, "config", "default.yaml"));
    for (const env of Object.keys(config.environments)) {
      for (const f of releaseFiles(config, env).filter((g) => g.path.startsWith("scripts/") || g.path === "buildspec.yml")) {
        expect(fs.readFileSync(path.join(root, "generated", env, f.path), "utf8")).toBe(f.content);
      }
    }
  });
});
