import { stringify } from "yaml";
import { Config } from "./config/schema";
import { GithubActionsConfig } from "./config/host";

/**
 * Major versions the generated workflow pins. Majors get security fixes without a regenerate;
 * pin to commit SHAs in the repository if your policy demands it.
 */
export const ACTION_VERSIONS = {
  checkout: "actions/checkout@v4",
  configureAwsCredentials: "aws-actions/configure-aws-credentials@v4",
  amazonEcrLogin: "aws-actions/amazon-ecr-login@v2",
} as const;

/** GitHub variable the workflow reads the account ID from when the environment does not pin `accountId`. */
export const ACCOUNT_ID_VARIABLE = "AWS_ACCOUNT_ID";

/** Name of the environment's GitHub Actions role: fixed, so the workflow can name its ARN before it exists. */
export function githubActionsRoleName(appName: string, envName: string): string {
  return `${appName}-${envName}-github-actions`;
}

/** The moving tag an environment's workflow pushes: configured, or `<env>-latest`. */
export function environmentImageTag(envName: string, github: Pick<GithubActionsConfig, "imageTag">): string {
  return github.imageTag ?? `${envName}-latest`;
}

/** Where the workflow file goes, relative to the repository root. */
export function workflowPath(appName: string, envName: string): string {
  return `.github/workflows/${appName}-${envName}-image.yml`;
}

export interface GeneratedFile {
  /** Path relative to the application repository's root. */
  readonly path: string;
  readonly content: string;
}

/**
 * The GitHub Actions workflow of one environment with `githubActions`: on a push to one of its
 * branches, assume the environment's role through OIDC, build the image, tag it with the commit
 * SHA and the environment's moving tag, and push both to the environment's ECR repository.
 * Undefined when the environment has no `githubActions`. A pure function of the configuration.
 */
export function githubActionsWorkflow(config: Config, envName: string): GeneratedFile | undefined {
  const env = config.environments[envName];
  if (!env) throw new Error(`no environment ${JSON.stringify(envName)} in the configuration`);
  const github = env.githubActions;
  if (!github) return undefined;
  const app = config.app.name;
  const region = env.region ?? config.app.region;
  const partition = region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
  const account = env.accountId ?? `\${{ vars.${ACCOUNT_ID_VARIABLE} }}`;
  const roleArn = `arn:${partition}:iam::${account}:role/${githubActionsRoleName(app, envName)}`;
  const tag = environmentImageTag(envName, github);

  const workflow = {
    name: `${app}-${envName} image`,
    on: { push: { branches: [...github.branches] }, workflow_dispatch: {} },
    permissions: { "id-token": "write", contents: "read" },
    // One push at a time per environment, so the moving tag ends on the newest commit.
    concurrency: { group: `${app}-${envName}-image`, "cancel-in-progress": false },
    jobs: {
      image: {
        // No `environment:` key: it would change the token's sub claim to repo:<repo>:environment:<name>,
        // which the role's trust policy (repo:<repo>:ref:refs/heads/<branch>) does not admit.
        "runs-on": "ubuntu-latest",
        "timeout-minutes": 30,
        steps: [
          { name: "Check out", uses: ACTION_VERSIONS.checkout },
          {
            name: "Assume the environment's role",
            uses: ACTION_VERSIONS.configureAwsCredentials,
            with: { "role-to-assume": roleArn, "aws-region": region, "role-session-name": `${app}-${envName}-\${{ github.run_id }}` },
          },
          { name: "Log in to Amazon ECR", id: "ecr", uses: ACTION_VERSIONS.amazonEcrLogin },
          {
            name: "Build, tag and push",
            env: {
              IMAGE: `\${{ steps.ecr.outputs.registry }}/${app}-${envName}`,
              ENV_TAG: tag,
              DOCKERFILE: github.dockerfile,
              CONTEXT: github.context,
            },
            run: [
              'docker build --file "$DOCKERFILE" --tag "$IMAGE:$GITHUB_SHA" "$CONTEXT"',
              'docker tag "$IMAGE:$GITHUB_SHA" "$IMAGE:$ENV_TAG"',
              'docker push "$IMAGE:$GITHUB_SHA"',
              'docker push "$IMAGE:$ENV_TAG"',
              "",
            ].join("\n"),
          },
        ],
      },
    },
  };
  const header = `# Generated from the ${app} infrastructure configuration (environment ${envName}); do not edit by hand.\n`;
  return { path: workflowPath(app, envName), content: header + stringify(workflow, { lineWidth: 0 }) };
}
