// Third-party CI (ci.provider, docs/ci-providers.md): configuration rules, the generated CI files
// (schema, structure, shell) and the identities the stacks create for them.
import Ajv from "ajv";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { loadConfigFile, parseConfig } from "../lib/config/load";
import { Config } from "../lib/config/schema";
import { ciFile, ciPlan, ecsDeployScript, ecsReleaseNames } from "../lib/release/ci-files";
import { releaseFiles } from "../lib/release/release-files";
import { renderTemplate } from "../lib/release/templates";
import { configProblems, expectProblemLine } from "./helpers/config";
import { declarativePipeline, groovyString, parseGroovy } from "./helpers/jenkinsfile";
import { coverageOf } from "./helpers/iam-coverage";
import { lintShell } from "./helpers/shell";
import { data, resource, resourcesOfType, synthConfig } from "./helpers/synth";

const root = path.join(__dirname, "..");
const schemas = path.join(__dirname, "fixtures", "schemas");
const ajv = new Ajv({ strict: false, allErrors: true });
const validateGithub = ajv.compile(JSON.parse(fs.readFileSync(path.join(schemas, "github-workflow.json"), "utf8")));
const validateBitbucket = ajv.compile(JSON.parse(fs.readFileSync(path.join(schemas, "bitbucket-pipelines.json"), "utf8")));

const REPO_UUID = "{0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d}";
const ENV_UUID = "{9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a}";
const WORKSPACE_UUID = "{4f1c2a3b-5d6e-4f70-8192-a3b4c5d6e7f8}";
const CI: Record<string, Record<string, unknown>> = {
  "github-actions": { provider: "github-actions", repository: "acme/webapp", branch: "main" },
  "bitbucket-pipelines": {
    provider: "bitbucket-pipelines",
    workspace: "acme",
    workspaceUuid: WORKSPACE_UUID,
    repositoryUuid: REPO_UUID,
    deploymentEnvironment: "Staging",
    deploymentEnvironmentUuid: ENV_UUID,
    branch: "main",
  },
  jenkins: { provider: "jenkins", principalArn: "arn:aws:iam::111122223333:role/jenkins-agent" },
};
const ECS = {
  services: [
    { name: "api", containerPort: 8080, healthCheckPath: "/health", pathPatterns: ["/api/*"], priority: 10 },
    { name: "web", containerPort: 3000, healthCheckPath: "/", pathPatterns: ["/*"], priority: 20 },
  ],
};

/** A one-environment configuration; `platform` ecs gets two services and no pipeline. */
function raw(ci: Record<string, unknown> | undefined, platform: "fleet" | "ecs" = "fleet", extra: Record<string, unknown> = {}): any {
  const env: Record<string, unknown> = { network: { cidr: "10.10.0.0/16" }, ...extra };
  if (ci) env.ci = ci;
  if (platform === "ecs") Object.assign(env, { platform: "ecs", ecs: ECS, pipeline: { enabled: false } });
  return { app: { name: "webapp", region: "eu-west-1" }, environments: { staging: env } };
}
const config = (ci: Record<string, unknown> | undefined, platform: "fleet" | "ecs" = "fleet", extra: Record<string, unknown> = {}): Config => parseConfig(raw(ci, platform, extra));

function expectProblem(r: any, at: string, received: string, allowed: RegExp): void {
  expectProblemLine(configProblems(r), `environments.staging.${at}`, received, allowed);
}

describe("configuration", () => {
  test("the default is codepipeline: no CI file, no CI role, the release files of before", () => {
    const c = config(undefined);
    expect(c.environments.staging.ci).toEqual({ provider: "codepipeline", credentialSource: "Ec2InstanceMetadata", createOidcProvider: false, timeoutMinutes: 60 });
    expect(ciFile(c, "staging")).toBeUndefined();
    expect(releaseFiles(c, "staging").map((f) => f.path)).not.toContainEqual(expect.stringMatching(/Jenkinsfile|bitbucket|\.github/));
    const json = synthConfig(c).staging;
    expect(Object.values<any>(resourcesOfType(json, "aws_iam_role")).map((r) => r.name)).not.toContain("webapp-staging-ci");
    expect(json.output?.ci_role_arn).toBeUndefined();
    expect(releaseFiles(config(undefined, "ecs"), "staging")).toEqual([]);
  });

  test("each provider with its fields is accepted, on both platforms", () => {
    for (const ci of Object.values(CI)) for (const platform of ["fleet", "ecs"] as const) expect(() => config(ci, platform)).not.toThrow();
  });

  test("an unknown provider names the allowed ones", () => {
    expectProblem(raw({ provider: "circleci" }), "ci.provider", '"circleci"', /"codepipeline", "github-actions", "bitbucket-pipelines", "jenkins"/);
  });

  test("each provider's required fields", () => {
    expectProblem(raw({ provider: "github-actions", branch: "main" }), "ci.repository", "nothing", /required for provider "github-actions"/);
    expectProblem(raw({ provider: "github-actions", repository: "acme/webapp" }), "ci.branch", "nothing", /required for provider "github-actions"/);
    const { repositoryUuid: _r, ...noRepo } = CI["bitbucket-pipelines"];
    expectProblem(raw(noRepo), "ci.repositoryUuid", "nothing", /required for provider "bitbucket-pipelines"/);
    const { deploymentEnvironmentUuid: _e, ...noEnv } = CI["bitbucket-pipelines"];
    expectProblem(raw(noEnv), "ci.deploymentEnvironmentUuid", "nothing", /required for provider "bitbucket-pipelines"/);
    expectProblem(raw({ provider: "jenkins" }), "ci.principalArn", "nothing", /required for provider "jenkins"/);
  });

  test("fields of another provider are refused, defaults aside", () => {
    expectProblem(raw({ ...CI["github-actions"], principalArn: "arn:aws:iam::111122223333:role/jenkins" }), "ci.principalArn", '"arn:aws:iam::111122223333:role/jenkins"', /nothing for provider "github-actions"/);
    expectProblem(raw({ ...CI.jenkins, createOidcProvider: true }), "ci.createOidcProvider", "true", /nothing for provider "jenkins"/);
    expectProblem(raw({ ...CI.jenkins, workspace: "acme" }), "ci.workspace", '"acme"', /nothing for provider "jenkins"/);
    expectProblem(raw({ provider: "codepipeline", repository: "acme/webapp" }), "ci.repository", '"acme/webapp"', /nothing for provider "codepipeline" \(it uses no other field\)/);
  });

  test("formats: repository, braced UUIDs, principal ARN, external ID, branch, timeout", () => {
    expectProblem(raw({ ...CI["github-actions"], repository: "webapp" }), "ci.repository", '"webapp"', /owner\/name/);
    expectProblem(raw({ ...CI["bitbucket-pipelines"], repositoryUuid: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" }), "ci.repositoryUuid", '"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"', /in braces/);
    expectProblem(raw({ ...CI.jenkins, principalArn: "jenkins-agent" }), "ci.principalArn", '"jenkins-agent"', /ARN of an IAM role or user/);
    expectProblem(raw({ ...CI.jenkins, externalId: "x" }), "ci.externalId", '"x"', /external ID \(2 to 1224/);
    expectProblem(raw({ ...CI["github-actions"], branch: "release/*" }), "ci.branch", '"release/*"', /no \/ and no wildcards/);
    expectProblem(raw({ ...CI["github-actions"], timeoutMinutes: 1 }), "ci.timeoutMinutes", "1", /from 5 to 360/);
    expectProblem(raw({ ...CI["bitbucket-pipelines"], workspace: "Acme Corp" }), "ci.workspace", '"Acme Corp"', /workspace ID/);
  });

  test("an OIDC provider is created or named, not both, and a named one is for the provider's issuer", () => {
    const arn = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com";
    expectProblem(raw({ ...CI["github-actions"], createOidcProvider: true, oidcProviderArn: arn }), "ci.oidcProviderArn", JSON.stringify(arn), /nothing while createOidcProvider is true/);
    expectProblem(raw({ ...CI["bitbucket-pipelines"], oidcProviderArn: arn }), "ci.oidcProviderArn", JSON.stringify(arn), /api\.bitbucket\.org\/2\.0\/workspaces\/acme\/pipelines-config\/identity\/oidc/);
    expect(() => config({ ...CI["github-actions"], oidcProviderArn: arn })).not.toThrow();
  });

  test("two environments may not both create the provider of one issuer in one account", () => {
    const two = (a: Record<string, unknown>, b: Record<string, unknown>) => ({
      app: { name: "webapp", region: "eu-west-1" },
      environments: { staging: { network: { cidr: "10.10.0.0/16" }, ci: a }, production: { network: { cidr: "10.20.0.0/16" }, ci: b } },
    });
    const bb = { ...CI["bitbucket-pipelines"], createOidcProvider: true };
    expectProblemLine(configProblems(two(bb, bb)), "environments.production.ci.createOidcProvider", "true", /environments\.staging already creates the OIDC provider for api\.bitbucket\.org/);
    // Another workspace is another URL: allowed.
    expect(() => parseConfig(two(bb, { ...bb, workspace: "other" }))).not.toThrow();
    // A host's githubActions provider and a fleet's GitHub CI provider are the same URL.
    const gh = { ...CI["github-actions"], createOidcProvider: true };
    expectProblemLine(configProblems(two(gh, gh)), "environments.production.ci.createOidcProvider", "true", /token\.actions\.githubusercontent\.com/);
  });

  test("platform rules: a fleet's CI feeds the s3 source of an enabled pipeline; an ECS CI replaces the pipeline; hosts have githubActions", () => {
    const gh = CI["github-actions"];
    expectProblem(raw(gh, "fleet", { pipeline: { enabled: false } }), "pipeline.enabled", "false", /true while ci\.provider is "github-actions"/);
    expectProblem(raw(gh, "fleet", { pipeline: { source: { provider: "codecommit", repository: "webapp", branch: "main" } } }), "pipeline.source.provider", '"codecommit"', /"s3" while ci\.provider/);
    const ecs = raw(gh, "ecs");
    ecs.environments.staging.pipeline = { enabled: true };
    expectProblem(ecs, "pipeline.enabled", "true", /false while ci\.provider is "github-actions": the CI deploys the services itself/);
    const host = raw(gh, "fleet", { platform: "host" });
    expectProblem(host, "ci.provider", '"github-actions"', /"codepipeline" with platform: host/);
  });
});

/** Every provider on both platforms, and the example configurations that use them. */
const cases: Array<{ name: string; config: Config; env: string }> = [
  ...Object.entries(CI).flatMap(([provider, ci]) => (["fleet", "ecs"] as const).map((platform) => ({ name: `${provider} on ${platform}`, config: config(ci, platform), env: "staging" }))),
  { name: "github-actions with a GitHub environment (config/examples/docker-in-place.yaml)", config: loadConfigFile(path.join(root, "config/examples/docker-in-place.yaml")), env: "production" },
  { name: "bitbucket-pipelines (config/examples/single-env-s3-hcl.yaml)", config: loadConfigFile(path.join(root, "config/examples/single-env-s3-hcl.yaml")), env: "prod" },
  { name: "jenkins with an external ID (config/examples/bastion-rds-frontend.yaml)", config: loadConfigFile(path.join(root, "config/examples/bastion-rds-frontend.yaml")), env: "staging" },
];

/** The shell scripts of a CI file, as the CI runs them. */
function scriptsOf(file: { path: string; content: string }): string[] {
  if (file.path === "Jenkinsfile") return declarativePipeline(file.content).steps.map((s) => s.script);
  const doc = YAML.parse(file.content);
  if (file.path === "bitbucket-pipelines.yml") {
    // One shell runs a step's items in order.
    return Object.values<any>(doc.pipelines.branches).flatMap((p: any[]) => p.map((e) => `#!/usr/bin/env bash\n${e.step.script.join("\n")}`));
  }
  return Object.values<any>(doc.jobs).flatMap((job) => job.steps.filter((s: any) => s.run).map((s: any) => `#!/usr/bin/env bash\n${s.run}`));
}

describe.each(cases)("the CI file: $name", ({ config: c, env }) => {
  const file = ciFile(c, env)!;
  const plan = ciPlan(c, env)!;

  test("is one of the release files, at the path its CI reads", () => {
    expect(releaseFiles(c, env)).toContainEqual(file);
    const expected = { "github-actions": `.github/workflows/${c.app.name}-${env}-release.yml`, "bitbucket-pipelines": "bitbucket-pipelines.yml", jenkins: "Jenkinsfile" }[plan.provider];
    expect(file.path).toBe(expected);
  });

  test("parses and matches its CI's schema (GitHub, Bitbucket) or declarative structure (Jenkins)", () => {
    if (plan.provider === "jenkins") {
      const p = declarativePipeline(file.content);
      expect(p.sections).toEqual(["agent", "options", "environment", "stages", "post"]);
      expect(p.stages.map((s) => s.name)).toEqual(["Assume the release role", ...plan.stages.map((s) => s.name)]);
      for (const s of p.stages) expect(s.sections).toEqual([expect.stringMatching(/^when$/), "steps"]);
      expect(p.environment).toMatchObject({ AWS_REGION: plan.region, AWS_PROFILE: "release" });
      expect(p.steps.length).toBe(1 + plan.stages.reduce((n, s) => n + s.steps.length, 0));
      expect(p.post).toEqual(["always"]);
    } else {
      const doc = YAML.parse(file.content);
      const validate = plan.provider === "github-actions" ? validateGithub : validateBitbucket;
      expect(validate(doc) ? [] : validate.errors).toEqual([]);
    }
  });

  test("every shell step passes bash -n and shellcheck", () => {
    const scripts = scriptsOf(file);
    expect(scripts.length).toBeGreaterThan(0);
    for (const [i, s] of scripts.entries()) expect({ step: i, problems: lintShell(s, `${plan.provider}-${i}.sh`) }).toEqual({ step: i, problems: [] });
  });

  test("the steps are the shared scripts: the fleet upload, or per service the image build and the ECS deploy script of the CodeBuild deploy step", () => {
    const scripts = scriptsOf(file).join("\n");
    if (plan.docker) {
      const services = c.environments[env].ecs!.services.map((s) => s.name);
      expect(plan.stages.map((s) => s.name)).toEqual(services.map((s) => `Release ${s}`));
      for (const stage of plan.stages) expect(stage.steps[1].script).toBe(ecsDeployScript());
      // The deploy logic lives once: the CI runs the text of templates/ecs/deploy-buildspec.yml.
      expect(scripts).toContain(ecsDeployScript().trimEnd());
      expect(renderTemplate("ecs/deploy-buildspec.yml", {})).toContain("aws ecs register-task-definition --family \"$TASK_FAMILY\"");
    } else {
      expect(plan.stages).toHaveLength(1);
      expect(scripts).toContain('aws s3 cp "$archive" "s3://$bucket/$SOURCE_OBJECT_KEY"');
      expect(plan.stages[0].steps[0].env.SOURCE_OBJECT_KEY).toBe(c.environments[env].pipeline.source.objectKey ?? "pipeline-source/source.zip");
    }
    // The role it assumes is the environment's CI role, and no long-lived key is anywhere.
    expect(file.content).toContain(`:role/${c.app.name}-${env}-ci`);
    expect(file.content).not.toMatch(/AWS_SECRET_ACCESS_KEY|aws_secret_access_key|AKIA/);
  });
});

describe("IAM coverage of every provider on both platforms (the examples are covered by iam-coverage.test.ts)", () => {
  test.each(Object.keys(CI))("%s: every call of its file is allowed to the CI role, and the role does nothing else", (provider) => {
    for (const platform of ["fleet", "ecs"] as const) {
      const c = config(CI[provider], platform);
      const coverage = coverageOf(c, synthConfig(c));
      expect(coverage.problems).toEqual([]);
      expect(coverage.unmapped).toEqual([]);
      expect(coverage.unresolved).toEqual([]);
      const ci = coverage.evaluated.filter((e) => e.roleName === "webapp-staging-ci");
      expect(ci.filter((e) => !e.decision.allowed)).toEqual([]);
      const actions = [...new Set(ci.map((e) => e.action))].sort();
      expect(actions).toEqual(
        platform === "fleet"
          ? ["s3:PutObject", "ssm:GetParameter"]
          : [
              "ecr:BatchCheckLayerAvailability", "ecr:CompleteLayerUpload", "ecr:GetAuthorizationToken", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart",
              "ecs:DescribeServices", "ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition", "ecs:TagResource", "ecs:UpdateService", "iam:PassRole", "ssm:GetParameter",
            ],
      );
      // Only this environment's resources (and the "*" of the actions without a resource type).
      for (const e of ci) expect(e.resource).toMatch(/^\*$|webapp-staging|\/webapp\/staging\//);
    }
  });
});

describe("the checks can fail", () => {
  test("the schemas refuse what their CI refuses", () => {
    const gh = YAML.parse(ciFile(config(CI["github-actions"]), "staging")!.content);
    delete gh.jobs.release["runs-on"];
    expect(validateGithub(gh)).toBe(false);
    const bb = YAML.parse(ciFile(config(CI["bitbucket-pipelines"]), "staging")!.content);
    delete bb.pipelines.branches.main[0].step.script;
    expect(validateBitbucket(bb)).toBe(false);
  });

  test("the Jenkinsfile reader refuses unbalanced braces, a backslash Groovy would reject, and a stage without steps", () => {
    expect(() => parseGroovy("pipeline {\n  stages {\n}\n")).toThrow(/unclosed \{ opened at line 1/);
    expect(() => groovyString("'''jq '\\(.x)' '''")).toThrow(/invalid Groovy escape \\\(/);
    expect(() => declarativePipeline("pipeline {\n  agent any\n  stages {\n    stage('a') {\n      when { branch 'main' }\n    }\n  }\n}\n")).toThrow(/stage a has no steps/);
    // A brace inside a shell string does not close a block.
    expect(declarativePipeline("pipeline {\n  agent any\n  stages {\n    stage('a') {\n      steps {\n        sh '''echo }'''\n      }\n    }\n  }\n}\n").steps[0].script).toBe("echo }");
  });

  test("shellcheck sees the scripts: an unquoted variable is reported", () => {
    expect(lintShell("#!/usr/bin/env bash\naws s3 cp $archive s3://x/y\n").join("\n")).toMatch(/SC2086/);
  });
});

describe("identities", () => {
  const trust = (json: any, name: string) => data(json, "aws_iam_policy_document", name).statement[0];

  test("GitHub Actions: GitHub's provider, the STS audience, the repository's branch, or its GitHub environment", () => {
    const branch = synthConfig(config(CI["github-actions"])).staging;
    const t = trust(branch, "ci_github_role_trust");
    expect(t.actions).toEqual(["sts:AssumeRoleWithWebIdentity"]);
    expect(t.principals[0].identifiers).toEqual(["arn:aws:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/token.actions.githubusercontent.com"]);
    expect(t.condition).toEqual([
      { test: "StringEquals", variable: "token.actions.githubusercontent.com:aud", values: ["sts.amazonaws.com"] },
      { test: "StringEquals", variable: "token.actions.githubusercontent.com:sub", values: ["repo:acme/webapp:ref:refs/heads/main"] },
    ]);
    expect(resourcesOfType(branch, "aws_iam_openid_connect_provider")).toEqual({});
    expect(resource(branch, "aws_iam_role", "ci_github_role").name).toBe("webapp-staging-ci");
    const environment = synthConfig(config({ ...CI["github-actions"], githubEnvironment: "staging", createOidcProvider: true })).staging;
    expect(trust(environment, "ci_github_role_trust").condition[1].values).toEqual(["repo:acme/webapp:environment:staging"]);
    expect(resource(environment, "aws_iam_openid_connect_provider", "ci_github_oidc_provider")).toMatchObject({ url: "https://token.actions.githubusercontent.com", client_id_list: ["sts.amazonaws.com"] });
  });

  test("Bitbucket Pipelines: the workspace's provider (created here or named), its audience, one repository's steps in one deployment environment", () => {
    const created = synthConfig(config({ ...CI["bitbucket-pipelines"], createOidcProvider: true })).staging;
    expect(resource(created, "aws_iam_openid_connect_provider", "ci_oidc_provider")).toEqual(
      expect.objectContaining({ url: "https://api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc", client_id_list: ["ari:cloud:bitbucket::workspace/4f1c2a3b-5d6e-4f70-8192-a3b4c5d6e7f8"] }),
    );
    const t = trust(created, "ci_role_trust");
    expect(t.principals[0]).toEqual({ type: "Federated", identifiers: ["${aws_iam_openid_connect_provider.ci_oidc_provider.arn}"] });
    const issuer = "api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc";
    expect(t.condition).toEqual([
      { test: "StringEquals", variable: `${issuer}:aud`, values: ["ari:cloud:bitbucket::workspace/4f1c2a3b-5d6e-4f70-8192-a3b4c5d6e7f8"] },
      { test: "StringLike", variable: `${issuer}:sub`, values: [`${REPO_UUID}:${ENV_UUID}:*`] },
    ]);
    const named = synthConfig(config(CI["bitbucket-pipelines"])).staging;
    expect(resourcesOfType(named, "aws_iam_openid_connect_provider")).toEqual({});
    expect(trust(named, "ci_role_trust").principals[0].identifiers).toEqual([`arn:aws:iam::\${data.aws_caller_identity.current.account_id}:oidc-provider/${issuer}`]);
  });

  test("Jenkins: only the configured principal, with the external ID when one is set", () => {
    const withId = synthConfig(config({ ...CI.jenkins, externalId: "webapp-staging" }, "ecs")).staging;
    const t = trust(withId, "ci_role_trust");
    expect(t).toMatchObject({ actions: ["sts:AssumeRole"], principals: [{ type: "AWS", identifiers: ["arn:aws:iam::111122223333:role/jenkins-agent"] }] });
    expect(t.condition).toEqual([{ test: "StringEquals", variable: "sts:ExternalId", values: ["webapp-staging"] }]);
    expect(trust(synthConfig(config(CI.jenkins, "ecs")).staging, "ci_role_trust").condition ?? []).toEqual([]);
  });

  test("a fleet's CI may read the bucket's name and put the one source object: nothing else in S3", () => {
    const json = synthConfig(config(CI.jenkins)).staging;
    const statements = data(json, "aws_iam_policy_document", "ci_role_policy").statement;
    expect(statements.find((s: any) => s.sid === "PipelineSource")).toEqual({
      sid: "PipelineSource",
      effect: "Allow",
      actions: ["s3:PutObject", "s3:AbortMultipartUpload"],
      resources: ["${aws_s3_bucket.artifacts_bucket.arn}/pipeline-source/source.zip"],
    });
    expect(statements.find((s: any) => s.sid === "ArtifactBucketName").resources).toEqual(["arn:aws:ssm:eu-west-1:${data.aws_caller_identity.current.account_id}:parameter/webapp/staging/release/artifact-bucket"]);
    expect(statements.flatMap((s: any) => s.actions).filter((a: string) => a.startsWith("s3:"))).toEqual(["s3:PutObject", "s3:AbortMultipartUpload"]);
    expect(json.output.ci_role_arn.value).toBe("${aws_iam_role.ci_role.arn}");
  });

  test("an ECS CI's names are the stack's: cluster, service, container, family, Terraform's parameter, repository", () => {
    const c = config(CI.jenkins, "ecs");
    const json = synthConfig(c).staging;
    for (const service of ["api", "web"]) {
      const names = ecsReleaseNames("webapp", "staging", service);
      const task = Object.values<any>(resourcesOfType(json, "aws_ecs_task_definition")).find((t) => t.family === names.TASK_FAMILY);
      expect(task).toBeDefined();
      expect(String(task.container_definitions)).toMatch(new RegExp(`"name" = "${names.CONTAINER_NAME}"`));
      expect(Object.values<any>(resourcesOfType(json, "aws_ssm_parameter")).map((p) => p.name)).toContain(names.TASK_DEFINITION_PARAMETER);
      expect(Object.values<any>(resourcesOfType(json, "aws_ecr_repository")).map((r) => r.name)).toContain(names.REPOSITORY_NAME);
      expect(Object.values<any>(resourcesOfType(json, "aws_ecs_service")).map((s) => s.name)).toContain(names.SERVICE_NAME);
    }
    expect(Object.values<any>(resourcesOfType(json, "aws_ecs_cluster")).map((r) => r.name)).toEqual([ecsReleaseNames("webapp", "staging", "api").CLUSTER_NAME]);
    // No CodePipeline races the CI.
    expect(resourcesOfType(json, "aws_codepipeline")).toEqual({});
  });
});
