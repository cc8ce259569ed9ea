// The ECS deploy step (templates/ecs/deploy-buildspec.yml) as the deploy project runs it: its
// script, taken from the synthesized project, against a stubbed `aws` that records every call and
// answers like the ECS and SSM APIs, with the real jq.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { loadConfigFile } from "../lib/config/load";
import { lintShell } from "./helpers/shell";
import { resource, synthConfig } from "./helpers/synth";

const root = path.join(__dirname, "..");
const staging = synthConfig(loadConfigFile(path.join(root, "config/examples/ecs.yaml"))).staging;
const project = resource(staging, "aws_codebuild_project", "service_api_deploy_project");
// Terraform's string escapes undone: what CodeBuild receives.
const buildspec = YAML.parse(String(project.source.buildspec).replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{"));
const script: string = buildspec.phases.build.commands.join("\n");

const TERRAFORM_REVISION = "arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-staging-api:7";
const NEW_REVISION = "arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-staging-api:12";
const IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop-staging-api:0123456789abcdef-42";

/** DescribeTaskDefinition of Terraform's revision 7: what configuration says now (1 vCPU, 2 GiB, a secret, new roles). */
const describeTerraformRevision = {
  taskDefinition: {
    taskDefinitionArn: TERRAFORM_REVISION,
    family: "shop-staging-api",
    revision: 7,
    status: "ACTIVE",
    taskRoleArn: "arn:aws:iam::123456789012:role/shop-staging-api-task",
    executionRoleArn: "arn:aws:iam::123456789012:role/shop-staging-api-execution",
    networkMode: "awsvpc",
    cpu: "1024",
    memory: "2048",
    requiresCompatibilities: ["FARGATE"],
    compatibilities: ["EC2", "FARGATE"],
    runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
    requiresAttributes: [{ name: "com.amazonaws.ecs.capability.logging-driver.awslogs" }],
    volumes: [],
    placementConstraints: [],
    registeredAt: "2025-01-01T00:00:00.000Z",
    registeredBy: "arn:aws:sts::123456789012:assumed-role/terraform/session",
    containerDefinitions: [
      {
        name: "api",
        image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop-staging-api:latest",
        essential: true,
        cpu: 0,
        portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: "tcp" }],
        environment: [{ name: "FEATURE_X", value: "on" }],
        secrets: [{ name: "DB_PASSWORD", valueFrom: "arn:aws:ssm:eu-west-1:123456789012:parameter/shop/staging/env/DB_PASSWORD" }],
        mountPoints: [],
        volumesFrom: [],
        logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/shop-staging/api", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "api" } },
      },
      { name: "log-router", image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable", essential: false, cpu: 0 },
    ],
  },
  tags: [
    { key: "application", value: "shop" },
    { key: "environment", value: "staging" },
    { key: "aws:cloudformation:stack-name", value: "not-ours" },
  ],
};

interface Run {
  readonly status: number | null;
  readonly out: string;
  /** `aws <service> <command> ...` as called, one line each. */
  readonly calls: string[];
  /** The JSON the script handed to RegisterTaskDefinition (--cli-input-json), if it got that far. */
  readonly registered?: Record<string, any>;
}

/**
 * Runs the deploy script in a directory holding the build's imagedefinitions.json. `rollout` is
 * what DescribeServices reports for the deployment, one answer per poll (`id<TAB>state<TAB>reason`,
 * or `None` once the deployment is gone); the last answer repeats.
 */
function deploy(options: { rollout?: string[]; imageDefinitions?: unknown; env?: Record<string, string> } = {}): Run {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecs-deploy-"));
  const bin = path.join(dir, "bin");
  const src = path.join(dir, "src");
  fs.mkdirSync(bin);
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, "imagedefinitions.json"), JSON.stringify(options.imageDefinitions ?? [{ name: "api", imageUri: IMAGE }]));
  fs.writeFileSync(path.join(dir, "describe-task-definition.json"), JSON.stringify(describeTerraformRevision));
  fs.writeFileSync(path.join(dir, "rollout"), `${(options.rollout ?? ["ecs-svc/1234\tIN_PROGRESS\tECS deployment ecs-svc/1234 in progress.", "ecs-svc/1234\tCOMPLETED\tECS deployment ecs-svc/1234 completed."]).join("\n")}\n`);
  const aws = `#!/bin/bash
echo "aws $*" >>"$HOME/calls"
case "$1 $2" in
  "ssm get-parameter") [ "$4" = /shop/staging/release/api/task-definition ] || exit 254; echo "${TERRAFORM_REVISION}" ;;
  "ecs describe-task-definition") [ "$4" = "${TERRAFORM_REVISION}" ] || exit 254; cat "$HOME/describe-task-definition.json" ;;
  "ecs register-task-definition") cp taskdef.json "$HOME/registered.json"; echo "${NEW_REVISION}" ;;
  "ecs update-service") echo ecs-svc/1234 ;;
  "ecs describe-services") n=$(($(grep -c describe-services "$HOME/calls"))); total=$(wc -l <"$HOME/rollout"); sed -n "$((n < total ? n : total))p" "$HOME/rollout" ;;
  *) echo "unexpected aws $*" >&2; exit 1 ;;
esac
`;
  fs.writeFileSync(path.join(bin, "aws"), aws, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, "sleep"), "#!/bin/bash\nexit 0\n", { mode: 0o755 });
  const file = path.join(dir, "deploy.sh");
  fs.writeFileSync(file, script);
  const variables = Object.fromEntries(project.environment.environment_variable.map((v: any) => [v.name, String(v.value)]));
  // The parameter's name is a reference in the project; its value is the parameter's name.
  const env = { ...variables, TASK_DEFINITION_PARAMETER: "/shop/staging/release/api/task-definition", ...options.env };
  // A script that never stops polling is killed (status null) rather than hanging the suite.
  const result = spawnSync("bash", [file], { cwd: src, encoding: "utf8", env: { ...env, PATH: `${bin}:${process.env.PATH}`, HOME: dir }, timeout: 20_000 });
  const registered = path.join(dir, "registered.json");
  return {
    status: result.status,
    out: result.stdout + result.stderr,
    calls: fs.existsSync(path.join(dir, "calls")) ? fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n") : [],
    registered: fs.existsSync(registered) ? JSON.parse(fs.readFileSync(registered, "utf8")) : undefined,
  };
}

describe("the ECS deploy step", () => {
  test("runs in one shell step and passes bash -n and shellcheck", () => {
    expect(buildspec.phases.build.commands).toHaveLength(1);
    expect(buildspec.env.shell).toBe("bash");
    expect(buildspec.artifacts).toBeUndefined();
    expect(lintShell(script, "deploy.sh")).toEqual([]);
  });

  test("registers the next revision from Terraform's latest revision with the built image, rolls the service to it and waits for COMPLETED", () => {
    const run = deploy();
    expect(run.status).toBe(0);
    expect(run.calls).toEqual([
      "aws ssm get-parameter --name /shop/staging/release/api/task-definition --query Parameter.Value --output text",
      `aws ecs describe-task-definition --task-definition ${TERRAFORM_REVISION} --include TAGS --output json`,
      "aws ecs register-task-definition --family shop-staging-api --cli-input-json file://taskdef.json --query taskDefinition.taskDefinitionArn --output text",
      `aws ecs update-service --cluster shop-staging --service api --task-definition ${NEW_REVISION} --query service.deployments[?status=='PRIMARY'] | [0].id --output text`,
      "aws ecs describe-services --cluster shop-staging --services api --query services[0].deployments[?id=='ecs-svc/1234'] | [0].[id, rolloutState, rolloutStateReason] --output text",
      "aws ecs describe-services --cluster shop-staging --services api --query services[0].deployments[?id=='ecs-svc/1234'] | [0].[id, rolloutState, rolloutStateReason] --output text",
    ]);
    expect(run.out).toContain(`Deployment ecs-svc/1234 completed: api runs ${NEW_REVISION}`);
  });

  test("the request is Terraform's revision: its size, environment, secrets and roles; only the service's image changes; AWS's read-only fields and aws: tags are dropped", () => {
    const request = deploy().registered!;
    const terraform = describeTerraformRevision.taskDefinition;
    expect(request).toMatchObject({ family: "shop-staging-api", cpu: "1024", memory: "2048", taskRoleArn: terraform.taskRoleArn, executionRoleArn: terraform.executionRoleArn, networkMode: "awsvpc" });
    expect(request.containerDefinitions).toEqual([{ ...terraform.containerDefinitions[0], image: IMAGE }, terraform.containerDefinitions[1]]);
    expect(request.runtimePlatform).toEqual(terraform.runtimePlatform);
    for (const field of ["taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt", "registeredBy"]) expect(request).not.toHaveProperty(field);
    expect(request.tags).toEqual([
      { key: "application", value: "shop" },
      { key: "environment", value: "staging" },
    ]);
  });

  test("a deployment the circuit breaker fails fails the release, with ECS's reason", () => {
    const run = deploy({ rollout: ["ecs-svc/1234\tIN_PROGRESS\tin progress", "ecs-svc/1234\tFAILED\tECS deployment circuit breaker: tasks failed to start."] });
    expect(run.status).toBe(1);
    expect(run.out).toContain("Deployment ecs-svc/1234 failed: ECS deployment circuit breaker: tasks failed to start.");
  });

  test("a deployment that disappears (rolled back, or replaced by a newer one) fails the release", () => {
    const run = deploy({ rollout: ["ecs-svc/1234\tIN_PROGRESS\tin progress", "None"] });
    expect(run.status).toBe(1);
    expect(run.out).toContain("Deployment ecs-svc/1234 is no longer in service api");
  });

  test("a deployment that does not finish in time fails the release with its state", () => {
    const run = deploy({ rollout: ["ecs-svc/1234\tIN_PROGRESS\tECS deployment ecs-svc/1234 in progress."], env: { DEPLOY_TIMEOUT_SECONDS: "0" } });
    expect(run.status).toBe(1);
    expect(run.out).toContain("Deployment ecs-svc/1234 still IN_PROGRESS after 0s: ECS deployment ecs-svc/1234 in progress.");
  });

  test("an image definitions file without the service's container stops before anything is registered", () => {
    const run = deploy({ imageDefinitions: [{ name: "web", imageUri: IMAGE }] });
    expect(run.status).not.toBe(0);
    expect(run.out).toContain("imagedefinitions.json names container api 0 times, not once");
    expect(run.calls).toEqual([]);
  });
});
