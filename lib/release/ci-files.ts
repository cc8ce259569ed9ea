import * as YAML from "yaml";
import { CiConfig } from "../config/ci";
import { DEFAULT_SOURCE_OBJECT_KEY } from "../config/release";
import { Config } from "../config/schema";
import { ACTION_VERSIONS } from "./github-actions-workflow";
import { renderTemplate } from "./templates";

/*
 * The CI file of an environment whose `ci.provider` is a third-party CI (docs/ci-providers.md):
 * .github/workflows/<app>-<env>-release.yml, bitbucket-pipelines.yml or Jenkinsfile. Each provider
 * runs the same shell steps, rendered once here:
 * - fleet: zip the commit and upload it under the key the pipeline's S3 source watches
 *   (templates/ci/fleet-source.sh); the CodePipeline builds and deploys it as before;
 * - ecs: per service, build and push the image (templates/ci/ecs-image.sh), then register the next
 *   task definition revision from Terraform's latest and roll the service: the very script of the
 *   CodeBuild deploy step (templates/ecs/deploy-buildspec.yml), so that logic lives once.
 */

/** The variable a team sets in its CI when the environment does not pin `accountId`. */
export const CI_ACCOUNT_VARIABLE = "AWS_ACCOUNT_ID";

/** Name of an environment's CI role: fixed, so that the CI file names its ARN before it exists. */
export function ciRoleName(appName: string, envName: string): string {
  return `${appName}-${envName}-ci`;
}

/** Path of the GitHub Actions workflow, relative to the repository root. */
export function ciWorkflowPath(appName: string, envName: string): string {
  return `.github/workflows/${appName}-${envName}-release.yml`;
}

/** One shell step of the release, with the environment it needs (static values only). */
export interface CiStep {
  readonly name: string;
  readonly env: Record<string, string>;
  readonly script: string;
}

/** What the CI file runs, provider-neutral. */
export interface CiPlan {
  readonly provider: Exclude<CiConfig["provider"], "codepipeline">;
  readonly appName: string;
  readonly envName: string;
  readonly region: string;
  readonly partition: string;
  /** The account ID, when the environment pins it; otherwise the CI variable {@link CI_ACCOUNT_VARIABLE} gives it. */
  readonly accountId?: string;
  readonly roleName: string;
  /** The ECS platform needs Docker in the CI. */
  readonly docker: boolean;
  /** Groups of steps (one per ECS service, one for a fleet), in order. */
  readonly stages: ReadonlyArray<{ readonly name: string; readonly steps: readonly CiStep[] }>;
  readonly ci: CiConfig;
}

/** Names of the AWS resources a service's release touches, as the stack names them (constructs/ecs-service.ts). */
export function ecsReleaseNames(appName: string, envName: string, serviceName: string) {
  const prefix = `${appName}-${envName}`;
  return {
    CLUSTER_NAME: prefix,
    SERVICE_NAME: serviceName,
    CONTAINER_NAME: serviceName,
    TASK_FAMILY: `${prefix}-${serviceName}`,
    TASK_DEFINITION_PARAMETER: `/${appName}/${envName}/release/${serviceName}/task-definition`,
    REPOSITORY_NAME: `${prefix}-${serviceName}`,
  };
}

/** The deploy script of the ECS deploy step (templates/ecs/deploy-buildspec.yml): it reads imagedefinitions.json. */
export function ecsDeployScript(): string {
  const spec = YAML.parse(renderTemplate("ecs/deploy-buildspec.yml", {}));
  const commands: unknown = spec?.phases?.build?.commands;
  if (!Array.isArray(commands) || commands.length !== 1 || typeof commands[0] !== "string") {
    throw new Error("templates/ecs/deploy-buildspec.yml: expected one build command (the deploy script the CI files reuse)");
  }
  return commands[0];
}

/** Provider variables in the scripts: the commit, and a tag unique per run. */
const PROVIDER_VARIABLES: Record<CiPlan["provider"], { commit: string; imageTag: string }> = {
  "github-actions": { commit: "$GITHUB_SHA", imageTag: "$GITHUB_SHA-$GITHUB_RUN_NUMBER-$GITHUB_RUN_ATTEMPT" },
  "bitbucket-pipelines": { commit: "$BITBUCKET_COMMIT", imageTag: "$BITBUCKET_COMMIT-$BITBUCKET_BUILD_NUMBER" },
  jenkins: { commit: "$GIT_COMMIT", imageTag: "$GIT_COMMIT-$BUILD_NUMBER" },
};

/** The plan of an environment with a third-party CI; undefined for codepipeline. */
export function ciPlan(config: Config, envName: string): CiPlan | undefined {
  const env = config.environments[envName];
  const ci = env.ci;
  if (ci.provider === "codepipeline") return undefined;
  const appName = config.app.name;
  const region = env.region ?? config.app.region;
  const partition = region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
  const vars = PROVIDER_VARIABLES[ci.provider];
  const base = { provider: ci.provider, appName, envName, region, partition, accountId: env.accountId, roleName: ciRoleName(appName, envName), ci };
  if (env.platform === "ecs") {
    const deploy = ecsDeployScript();
    return {
      ...base,
      docker: true,
      stages: env.ecs!.services.map((service): CiPlan["stages"][number] => {
        const names = ecsReleaseNames(appName, envName, service.name);
        return {
          name: `Release ${service.name}`,
          steps: [
            {
              name: `Build and push the ${service.name} image`,
              env: { REPOSITORY_NAME: names.REPOSITORY_NAME, CONTAINER_NAME: names.CONTAINER_NAME, BUILD_CONTEXT: service.buildContext },
              script: renderTemplate("ci/ecs-image.sh", { imageTag: vars.imageTag }),
            },
            {
              name: `Deploy ${service.name}: the next revision from Terraform's latest, then wait for the service`,
              env: {
                CLUSTER_NAME: names.CLUSTER_NAME,
                SERVICE_NAME: names.SERVICE_NAME,
                CONTAINER_NAME: names.CONTAINER_NAME,
                TASK_FAMILY: names.TASK_FAMILY,
                TASK_DEFINITION_PARAMETER: names.TASK_DEFINITION_PARAMETER,
                // The job's time, less five minutes for the build, checkout and messages.
                DEPLOY_TIMEOUT_SECONDS: String(Math.max(ci.timeoutMinutes - 5, 1) * 60),
              },
              script: deploy,
            },
          ],
        };
      }),
    };
  }
  return {
    ...base,
    docker: false,
    stages: [
      {
        name: "Release",
        steps: [
          {
            name: "Upload the source to the pipeline",
            env: {
              ARTIFACT_BUCKET_PARAMETER: `/${appName}/${envName}/release/artifact-bucket`,
              SOURCE_OBJECT_KEY: env.pipeline.source.objectKey ?? DEFAULT_SOURCE_OBJECT_KEY,
            },
            script: renderTemplate("ci/fleet-source.sh", { appName, envName, commit: vars.commit }),
          },
        ],
      },
    ],
  };
}

/** The CI file of an environment (path relative to generated/<env>/), undefined for codepipeline. */
export function ciFile(config: Config, envName: string): { path: string; content: string } | undefined {
  const plan = ciPlan(config, envName);
  if (!plan) return undefined;
  switch (plan.provider) {
    case "github-actions":
      return { path: ciWorkflowPath(plan.appName, plan.envName), content: githubWorkflow(plan) };
    case "bitbucket-pipelines":
      return { path: "bitbucket-pipelines.yml", content: bitbucketPipelines(plan) };
    case "jenkins":
      return { path: "Jenkinsfile", content: jenkinsfile(plan) };
  }
}

const header = (plan: CiPlan, what: string, comment: string) =>
  [
    `${what} of ${plan.appName}-${plan.envName}: ${plan.docker ? "build and push each service's image, then deploy it to ECS" : "hand each commit to the environment's CodePipeline"}.`,
    "Generated by cdktf-ec2-release (npm run synth); regenerate instead of editing. See docs/ci-providers.md.",
    ...(plan.accountId ? [] : [`Set the variable ${CI_ACCOUNT_VARIABLE} to the environment's AWS account ID.`]),
  ]
    .map((l) => `${comment} ${l}`)
    .join("\n");

function roleArn(plan: CiPlan, account: string): string {
  return `arn:${plan.partition}:iam::${account}:role/${plan.roleName}`;
}

function githubWorkflow(plan: CiPlan): string {
  const ci = plan.ci;
  const account = plan.accountId ?? `\${{ vars.${CI_ACCOUNT_VARIABLE} }}`;
  const workflow = {
    name: `${plan.appName}-${plan.envName} release`,
    on: { push: { branches: [ci.branch!] }, workflow_dispatch: {} },
    permissions: { "id-token": "write", contents: "read" },
    // One release at a time per environment; a newer push waits for the running one.
    concurrency: { group: `${plan.appName}-${plan.envName}-release`, "cancel-in-progress": false },
    jobs: {
      release: {
        "runs-on": "ubuntu-latest",
        // With an environment, GitHub's sub claim names it (repo:<repo>:environment:<name>), which the role trusts.
        ...(ci.githubEnvironment ? { environment: ci.githubEnvironment } : {}),
        "timeout-minutes": ci.timeoutMinutes,
        env: { AWS_REGION: plan.region, [CI_ACCOUNT_VARIABLE]: account },
        steps: [
          { name: "Check out", uses: ACTION_VERSIONS.checkout },
          {
            name: "Assume the environment's CI role",
            uses: ACTION_VERSIONS.configureAwsCredentials,
            with: { "role-to-assume": roleArn(plan, account), "aws-region": plan.region, "role-session-name": `${plan.appName}-${plan.envName}-\${{ github.run_id }}` },
          },
          ...plan.stages.flatMap((stage) => stage.steps.map((step) => ({ name: step.name, shell: "bash", env: step.env, run: step.script }))),
        ],
      },
    },
  };
  return `${header(plan, "GitHub Actions workflow", "#")}\n${YAML.stringify(workflow, { lineWidth: 0 })}`;
}

/** The image Bitbucket runs the step in: it brings git, curl, unzip and jq; the AWS CLI v2 is installed by the step. */
export const BITBUCKET_IMAGE = "atlassian/default-image:4";

function bitbucketPipelines(plan: CiPlan): string {
  const ci = plan.ci;
  const account = plan.accountId ?? `\${${CI_ACCOUNT_VARIABLE}}`;
  const exports = (env: Record<string, string>) => Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}`);
  const setup = [
    "set -euo pipefail",
    "# The AWS CLI v2, unless the image has it (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html).",
    "if ! command -v aws > /dev/null; then",
    '  curl -fsSL "https://awscli.amazonaws.com/awscli-exe-linux-$(uname -m).zip" -o /tmp/awscliv2.zip',
    "  unzip -q /tmp/awscliv2.zip -d /tmp",
    "  /tmp/aws/install",
    "fi",
    "# The step's OIDC token (oidc: true) is the web identity the AWS CLI assumes the role with.",
    'export AWS_WEB_IDENTITY_TOKEN_FILE="$BITBUCKET_CLONE_DIR/.aws-web-identity-token"',
    'printf \'%s\' "$BITBUCKET_STEP_OIDC_TOKEN" > "$AWS_WEB_IDENTITY_TOKEN_FILE"',
    `export AWS_ROLE_ARN="${roleArn(plan, account)}"`,
    `export AWS_ROLE_SESSION_NAME="${plan.appName}-${plan.envName}-$BITBUCKET_BUILD_NUMBER"`,
    `export AWS_REGION=${shellQuote(plan.region)}`,
    ...(plan.accountId ? [`export ${CI_ACCOUNT_VARIABLE}=${shellQuote(plan.accountId)}`] : []),
    "aws sts get-caller-identity",
    "",
  ].join("\n");
  const step = {
    name: `Release ${plan.appName}-${plan.envName}`,
    deployment: ci.deploymentEnvironment!,
    oidc: true,
    "max-time": ci.timeoutMinutes,
    ...(plan.docker ? { services: ["docker"] } : {}),
    script: [setup, ...plan.stages.flatMap((stage) => stage.steps.map((s) => `# ${s.name}\n${exports(s.env).join("\n")}\n${s.script}`))],
  };
  const doc = {
    image: { name: BITBUCKET_IMAGE },
    pipelines: { branches: { [ci.branch!]: [{ step }] } },
  };
  return `${header(plan, "Bitbucket Pipelines", "#")}\n${YAML.stringify(doc, { lineWidth: 0 })}`;
}

function jenkinsfile(plan: CiPlan): string {
  const ci = plan.ci;
  const groovy = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  const sh = (script: string, indent: string) => {
    if (script.includes("'''")) throw new Error("a Jenkinsfile shell step cannot contain '''");
    // Triple-single-quoted: Groovy interpolates nothing; backslashes are escaped for Groovy. The
    // shebang must open the script: Jenkins runs it with /bin/sh otherwise.
    return `${indent}sh '''#!/usr/bin/env bash\n${script.replace(/\\/g, "\\\\").trimEnd()}\n${indent}'''`;
  };
  const profile = [
    "set -euo pipefail",
    "# The AWS CLI assumes the environment's CI role with the agent's own credentials.",
    'mkdir -p "$(dirname "$AWS_CONFIG_FILE")"',
    'cat > "$AWS_CONFIG_FILE" <<CONFIG',
    "[profile release]",
    `role_arn = ${roleArn(plan, "$AWS_ACCOUNT_ID")}`,
    `credential_source = ${ci.credentialSource}`,
    ...(ci.externalId ? [`external_id = ${ci.externalId}`] : []),
    `role_session_name = ${plan.appName}-${plan.envName}-jenkins-$BUILD_NUMBER`,
    `region = ${plan.region}`,
    "CONFIG",
    "aws sts get-caller-identity",
  ].join("\n");
  const branch = ci.branch ?? "main";
  const lines = [
    header(plan, "Jenkins pipeline", "//"),
    "pipeline {",
    `  agent ${ci.agentLabel ? `{ label ${groovy(ci.agentLabel)} }` : "any"}`,
    "  options {",
    `    timeout(time: ${ci.timeoutMinutes}, unit: 'MINUTES')`,
    "    disableConcurrentBuilds()",
    "  }",
    "  environment {",
    `    AWS_REGION = ${groovy(plan.region)}`,
    ...(plan.accountId ? [`    ${CI_ACCOUNT_VARIABLE} = ${groovy(plan.accountId)}`] : []),
    '    AWS_CONFIG_FILE = "${env.WORKSPACE}/.aws-release/config"',
    "    AWS_PROFILE = 'release'",
    "  }",
    "  stages {",
    "    stage('Assume the release role') {",
    `      when { branch ${groovy(branch)} }`,
    "      steps {",
    sh(profile, "        "),
    "      }",
    "    }",
    ...plan.stages.flatMap((stage) => [
      `    stage(${groovy(stage.name)}) {`,
      `      when { branch ${groovy(branch)} }`,
      "      steps {",
      ...stage.steps.flatMap((step) => [
        `        // ${step.name}`,
        `        withEnv([${Object.entries(step.env)
          .map(([k, v]) => groovy(`${k}=${v}`))
          .join(", ")}]) {`,
        sh(step.script, "          "),
        "        }",
      ]),
      "      }",
      "    }",
    ]),
    "  }",
    "  post {",
    "    always {",
    "      sh 'rm -rf .aws-release imagedefinitions.json'",
    "    }",
    "  }",
    "}",
    "",
  ];
  return lines.join("\n");
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@%+=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
