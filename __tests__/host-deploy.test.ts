// Plain hosts that deploy on push (issue 17 item 2, docs/hosts.md): the configuration rules, the SSM
// document and grants of the host stack, the workflow's deploy step, and the deploy script itself run
// end to end on an emulated host (__tests__/helpers/instance.ts: stubs of aws, docker with Compose,
// curl, install): a first deploy, a second one, and a third whose image fails its health check and is
// rolled back. Every AWS call the script made is checked against the host's instance role.
import * as path from "path";
import * as YAML from "yaml";
import { DEPLOY_DOCUMENT_PARAMETERS } from "../constructs/host-deploy-document";
import { loadConfigFile, parseConfig } from "../lib/config/load";
import { githubActionsWorkflow } from "../lib/release/github-actions-workflow";
import { releaseFiles } from "../lib/release/release-files";
import { StackView } from "../policy/terraform";
import { configProblems, expectProblemLine } from "./helpers/config";
import { Resolver } from "./helpers/iam-coverage";
import { Call, iamOfCalls, Instance } from "./helpers/instance";
import { lintShell } from "./helpers/shell";
import { ref, resource, resourcesOfType, statements, synthConfig } from "./helpers/synth";

jest.setTimeout(120_000);

const root = path.join(__dirname, "..");
const examplePath = path.join(root, "config", "examples", "hosts.yaml");
const config = loadConfigFile(examplePath);
const stacks = synthConfig(config);
const staging = stacks.staging;
const raw = () => YAML.parse(require("fs").readFileSync(examplePath, "utf8"));

describe("host.deploy configuration", () => {
  const expectProblem = (mutate: (c: any) => void, at: string, received: string, allowed: RegExp) => {
    const c = raw();
    mutate(c);
    expectProblemLine(configProblems(c), at, received, allowed);
  };

  test("defaults: off, /health, 12 × 5 s, 900 s", () => {
    const c = raw();
    delete c.environments.staging.host.deploy;
    expect(parseConfig(c).environments.staging.host.deploy).toEqual({ enabled: false, healthCheckPath: "/health", healthCheckAttempts: 12, healthCheckIntervalSeconds: 5, timeoutSeconds: 900 });
  });

  test("the health path is the image's too (the Dockerfile's HEALTHCHECK)", () => {
    const c = raw();
    c.environments.staging.host.deploy.healthCheckPath = "/up";
    const files = releaseFiles(parseConfig(c), "staging");
    expect(files.find((f) => f.path === "Dockerfile")!.content).toContain('\\"/up\\"');
    expect(releaseFiles(config, "staging").find((f) => f.path === "Dockerfile")!.content).toContain('\\"/health\\"');
  });

  test("deploy needs githubActions (its workflow sends the command)", () => {
    expectProblem(
      (c) => {
        delete c.environments.staging.githubActions;
        c.environments.production.githubActions.repository = c.defaults.githubActions.repository;
        delete c.defaults.githubActions;
      },
      "environments.staging.host.deploy.enabled",
      "true",
      /false, or set githubActions/,
    );
  });

  test("the command's time holds two health checks and a pull", () => {
    expectProblem((c) => (c.environments.staging.host.deploy.timeoutSeconds = 120), "environments.staging.host.deploy.timeoutSeconds", "120", /at least 180 \(two health checks of 12 × 5 s/);
    const enough = raw();
    enough.environments.staging.host.deploy.timeoutSeconds = 180;
    expect(() => parseConfig(enough)).not.toThrow();
  });

  test("ranges and the health path", () => {
    expectProblem((c) => (c.environments.staging.host.deploy.healthCheckPath = "health"), "environments.staging.host.deploy.healthCheckPath", '"health"', /URL path starting with \//);
    expectProblem((c) => (c.environments.staging.host.deploy.healthCheckPath = "/a b"), "environments.staging.host.deploy.healthCheckPath", '"/a b"', /URL path/);
    expectProblem((c) => (c.environments.staging.host.deploy.healthCheckAttempts = 0), "environments.staging.host.deploy.healthCheckAttempts", "0", /number of attempts/);
    expectProblem((c) => (c.environments.staging.host.deploy.healthCheckIntervalSeconds = 61), "environments.staging.host.deploy.healthCheckIntervalSeconds", "61", /number of seconds/);
    expectProblem((c) => (c.environments.staging.host.deploy.timeoutSeconds = 7200), "environments.staging.host.deploy.timeoutSeconds", "7200", /number of seconds/);
    expectProblem((c) => (c.environments.staging.host.deploy.extra = 1), "environments.staging.host.deploy.extra", 'an unknown key "extra"', /known keys here are: enabled, healthCheckAttempts/);
  });
});

describe("the host stack with host.deploy", () => {
  const content = JSON.parse(resource(staging, "aws_ssm_document", "deploy_document").content);
  const command: string[] = content.mainSteps[0].inputs.runCommand;

  test("an SSM Command document of the project, parameters checked by pattern, run by sh that hands the script to bash", () => {
    expect(resource(staging, "aws_ssm_document", "deploy_document")).toMatchObject({ name: "shop-staging-deploy", document_type: "Command", document_format: "JSON", target_type: "/AWS::EC2::Instance" });
    expect(content.schemaVersion).toBe("2.2");
    expect(content.parameters).toEqual({
      imageDigest: { type: "String", description: DEPLOY_DOCUMENT_PARAMETERS.imageDigest.description, allowedPattern: "^sha256:[0-9a-f]{64}$" },
      imageTag: { type: "String", description: DEPLOY_DOCUMENT_PARAMETERS.imageTag.description, allowedPattern: "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$" },
    });
    expect(content.mainSteps[0]).toMatchObject({ action: "aws:runShellScript", inputs: { timeoutSeconds: "900" } });
    expect(JSON.parse(resource(stacks.production, "aws_ssm_document", "deploy_document").content).mainSteps[0].inputs.timeoutSeconds).toBe("1200");
    expect(command.slice(0, 4)).toEqual(["set -eu", 'script="$(mktemp)"', "trap 'rm -f \"$script\"' EXIT", "cat >\"$script\" <<'DEPLOY'"]);
    expect(command.at(-1)).toBe(`IMAGE_DIGEST='{{ imageDigest }}' IMAGE_TAG='{{ imageTag }}' /bin/bash "$script"`);
    // The repository URL is Terraform's; every other ${ is the shell's (escaped for Terraform).
    expect(command).toContain('readonly REPOSITORY_URL="${aws_ecr_repository.artifacts_repository.repository_url}"');
    expect(command.join("\n").match(/(?<!\$)\$\{(?!aws_ecr_repository\.artifacts_repository\.repository_url\})/g)).toBeNull();
  });

  test("the script (between the here-document lines) passes bash -n and shellcheck", () => {
    const text = new Resolver(new StackView(staging), "eu-west-1").resolve(resource(staging, "aws_ssm_document", "deploy_document").content);
    const script = JSON.parse(text).mainSteps[0].inputs.runCommand.join("\n");
    const body = /<<'DEPLOY'\n([\s\S]*)\nDEPLOY\n/.exec(script)![1];
    expect(lintShell(body, "deploy.sh")).toEqual([]);
  });

  test("the host's instance ID in SSM for the workflow; an output names the document", () => {
    expect(resource(staging, "aws_ssm_parameter", "release_parameters_host_instance_id")).toMatchObject({ name: "/shop/staging/release/host-instance-id", type: "String", value: ref("aws_instance.host_instance", "id") });
    expect(staging.output.deploy_document_name.value).toBe(ref("aws_ssm_document.deploy_document", "name"));
  });

  test("the workflow role may send that document to that instance only, and read results, the instance ID and image digests", () => {
    const policy = statements(staging, "github_actions_role_policy");
    expect(policy.find((s) => s.sid === "SendDeployDocument")).toMatchObject({
      actions: ["ssm:SendCommand"],
      resources: [
        "arn:aws:ssm:eu-west-1:${data.aws_caller_identity.current.account_id}:document/shop-staging-deploy",
        "arn:aws:ec2:eu-west-1:${data.aws_caller_identity.current.account_id}:instance/${aws_instance.host_instance.id}",
      ],
    });
    expect(policy.find((s) => s.sid === "ReadDeployResult")).toMatchObject({ actions: ["ssm:GetCommandInvocation"], resources: ["*"] });
    expect(policy.find((s) => s.sid === "FindHost")).toMatchObject({ actions: ["ssm:GetParameter"], resources: [ref("aws_ssm_parameter.release_parameters_host_instance_id", "arn")] });
    expect(policy.flatMap((s) => s.actions).filter((a: string) => a.startsWith("ssm:")).sort()).toEqual(["ssm:GetCommandInvocation", "ssm:GetParameter", "ssm:SendCommand"]);
  });

  test("the host role may read the application's parameters by path (and no other path)", () => {
    const policy = statements(staging, "host_role_policy");
    expect(policy.find((s) => s.sid === "ApplicationParameters")?.resources).toEqual([
      "arn:aws:ssm:eu-west-1:${data.aws_caller_identity.current.account_id}:parameter/shop/staging/env/",
      "arn:aws:ssm:eu-west-1:${data.aws_caller_identity.current.account_id}:parameter/shop/staging/env/*",
    ]);
  });

  test("without host.deploy: no document, no instance parameter, no deploy grants, no deploy step", () => {
    const c = raw();
    c.environments.staging.host.deploy.enabled = false;
    c.environments.staging.host.ansible.enabled = false;
    const parsed = parseConfig(c);
    const json = synthConfig(parsed).staging;
    expect(resourcesOfType(json, "aws_ssm_document")).toEqual({});
    expect(json.resource.aws_ssm_parameter.release_parameters_host_instance_id).toBeUndefined();
    expect(statements(json, "github_actions_role_policy").flatMap((s) => s.actions).filter((a: string) => a.startsWith("ssm:"))).toEqual([]);
    expect(statements(json, "host_role_policy").some((s) => s.sid === "ApplicationParameters")).toBe(false);
    expect(YAML.parse(githubActionsWorkflow(parsed, "staging")!.content).jobs.image.steps.map((s: any) => s.name)).not.toContain("Deploy to the host");
  });
});

describe("the workflow's deploy step", () => {
  const workflow = YAML.parse(githubActionsWorkflow(config, "staging")!.content);
  const steps = workflow.jobs.image.steps;
  const deploy = steps.at(-1);

  test("after the push: find the host, the pushed digest, send the document, poll until it ends, print, fail unless Success", () => {
    expect(steps.map((s: any) => s.name)).toEqual(["Check out", "Assume the environment's role", "Log in to Amazon ECR", "Build, tag and push", "Deploy to the host"]);
    expect(deploy.env).toEqual({ REPOSITORY: "shop-staging", DOCUMENT: "shop-staging-deploy", INSTANCE_PARAMETER: "/shop/staging/release/host-instance-id", WAIT_SECONDS: "1020" });
    const run: string = deploy.run;
    expect(run).toContain('--image-ids imageTag="$GITHUB_SHA"');
    expect(run).toContain('aws ssm send-command --document-name "$DOCUMENT" --instance-ids "$instance_id" --parameters "imageDigest=$digest,imageTag=$GITHUB_SHA"');
    expect(run).toMatch(/while case "\$status" in Pending \| InProgress \| Delayed\) true ;; \*\) false ;; esac; do/);
    expect(run).toContain("--query StandardOutputContent");
    expect(run).toMatch(/if \[ "\$status" != Success \]; then .*exit 1; fi/);
    expect(lintShell(run, "deploy-step.sh")).toEqual([]);
    expect(workflow.concurrency).toEqual({ group: "shop-staging-image", "cancel-in-progress": false });
  });
});

describe("the deploy script on an emulated host", () => {
  const view = new StackView(staging);
  const resolver = new Resolver(view, "eu-west-1");
  // As Terraform stores it: references resolved, $${ and %%{ unescaped.
  const content = JSON.parse(resolver.resolve(resource(staging, "aws_ssm_document", "deploy_document").content).replace(/%%\{/g, "%{"));
  const repository = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop-staging";
  const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
  /** The command as SSM runs it: document parameters substituted into runCommand. */
  const command = (n: number) => content.mainSteps[0].inputs.runCommand.join("\n").replace("{{ imageDigest }}", digest(n)).replace("{{ imageTag }}", `commit${n}`);
  const parameters = Object.fromEntries(view.resources("aws_ssm_parameter").map((p) => [resolver.resolve(String(p.values.name)), resolver.resolve(String(p.values.value))]));
  const host = new Instance({
    region: "eu-west-1",
    parameters,
    envParameters: [
      { Name: "/shop/staging/env/DATABASE_URL", Value: "postgres://db.internal/shop", Type: "SecureString" },
      { Name: "/shop/staging/env/LOG_LEVEL", Value: "info" },
    ],
    imageUnits: ["docker.service", "amazon-cloudwatch-agent.service"],
    bootActive: ["docker.service"],
    node: { version: "v22.11.0", arch: "x64", modules: "127" },
    app: { container: "shop", port: 3000, healthPath: "/health" },
  });
  const callsOf = (phase: string) => host.calls().filter((c) => c.phase === phase);
  const line = (c: Call) => [c.program, ...c.args].join(" ");
  /** What the host keeps between deploys. */
  const state = () => ({
    current: host.exists("/var/lib/shop/deploy/current") ? host.read("/var/lib/shop/deploy/current") : undefined,
    previous: host.exists("/var/lib/shop/deploy/previous") ? host.read("/var/lib/shop/deploy/previous") : undefined,
    containers: host.containers(),
  });
  let first: { status: number | null; output: string }, second: typeof first, third: typeof first;
  let afterFirst: ReturnType<typeof state>, afterSecond: ReturnType<typeof state>, afterThird: ReturnType<typeof state>;
  beforeAll(() => {
    first = host.runCommand("deploy 1", command(1));
    afterFirst = state();
    second = host.runCommand("deploy 2", command(2));
    afterSecond = state();
    host.markUnhealthy(`${repository}@${digest(3)}`);
    third = host.runCommand("deploy 3", command(3));
    afterThird = state();
  });

  test("first deploy: env file from SSM, ECR login, pull by digest, compose up, healthy, recorded as current", () => {
    expect({ status: first.status, output: first.status === 0 ? "" : first.output }).toEqual({ status: 0, output: "" });
    expect(host.read("/etc/shop/app.env")).toBe("DATABASE_URL=postgres://db.internal/shop\nLOG_LEVEL=info\n");
    const calls = callsOf("deploy 1").map(line);
    expect(calls).toEqual(
      expect.arrayContaining([
        "aws ssm get-parameters-by-path --region eu-west-1 --path /shop/staging/env/ --recursive --with-decryption --output json",
        "aws ecr get-login-password --region eu-west-1",
        "docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com",
        `docker pull ${repository}@${digest(1)}`,
        "docker compose --project-directory /opt/shop --file /opt/shop/compose.yaml up --detach --remove-orphans",
        "curl --silent --output /dev/null --write-out %{http_code} --max-time 5 http://127.0.0.1:3000/health",
      ]),
    );
    expect(calls.indexOf(`docker pull ${repository}@${digest(1)}`)).toBeLessThan(calls.findIndex((c) => c.includes(" up --detach")));
    expect(first.output).toContain(`deploying ${repository}:commit1 (${digest(1)})`);
    expect(first.output).toMatch(/healthy: http:\/\/127\.0\.0\.1:3000\/health answered 200 \(attempt 1 of 12\)/);
    expect(afterFirst).toEqual({ current: `${digest(1)}\n`, previous: undefined, containers: { shop: ["running", `${repository}@${digest(1)}`] } });
    const compose = YAML.parse(host.read("/opt/shop/compose.yaml"));
    expect(compose.services.app).toMatchObject({ pull_policy: "never", container_name: "shop", ports: ["127.0.0.1:3000:3000"], logging: { driver: "awslogs", options: { "awslogs-group": "/app/shop/staging/application" } } });
  });

  test("second deploy: the new digest runs, the first is kept as previous", () => {
    expect({ status: second.status, output: second.status === 0 ? "" : second.output }).toEqual({ status: 0, output: "" });
    expect(afterSecond).toEqual({ current: `${digest(2)}\n`, previous: `${digest(1)}\n`, containers: { shop: ["running", `${repository}@${digest(2)}`] } });
    expect(callsOf("deploy 2").map(line)).toContain(`docker pull ${repository}@${digest(2)}`);
  });

  test("third deploy fails its health check: every attempt is made, the second image runs again, the command exits 1", () => {
    expect(third.status).toBe(1);
    const calls = callsOf("deploy 3").map(line);
    const health = calls.filter((c) => c.startsWith("curl") && c.endsWith("/health"));
    // 12 attempts on the new image, then the rolled-back one answers at once.
    expect(health).toHaveLength(13);
    expect(calls.filter((c) => c.startsWith("sleep"))).toEqual(Array(11).fill("sleep 5"));
    const ups = calls.filter((c) => c.includes(" up --detach"));
    expect(ups).toHaveLength(2);
    expect(calls.slice(calls.indexOf(ups[0]) + 1)).toContain(`docker pull ${repository}@${digest(2)}`);
    expect(third.output).toContain(`rolling back to ${repository}@${digest(2)}`);
    expect(third.output).toContain(`FAILED: ${repository}@${digest(3)} is unhealthy; rolled back to ${repository}@${digest(2)}, which answers again`);
    // Back where the second deploy left it.
    expect(afterThird).toEqual(afterSecond);
  });

  test("the temporary script is removed after each run", () => {
    expect(require("fs").readdirSync(path.join(host.root, "..", "tmp"))).toEqual([]);
  });

  test("every AWS call the script made is allowed by the host's instance role", () => {
    // docker compose's own calls (awslogs) come from the Compose file, which the static coverage
    // reads (__tests__/iam-coverage.test.ts); here the recorded CLI calls.
    const recorded = host.calls().filter((c) => !(c.program === "docker" && c.args[0] === "compose"));
    const iam = iamOfCalls({ stack: staging, region: "eu-west-1", userData: "", files: [], parameters, instanceRole: "aws_iam_role.host_role" }, recorded);
    expect(iam.unmapped).toEqual([]);
    expect(iam.unresolved).toEqual([]);
    expect(iam.accesses.filter((a) => !a.decision.allowed).map((a) => `${a.command} → ${a.action} ${a.resource}`)).toEqual([]);
    expect(new Set(iam.accesses.map((a) => a.action))).toEqual(new Set(["ssm:GetParametersByPath", "kms:Decrypt", "ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]));
  });
});
