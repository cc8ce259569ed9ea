import { Rule } from "../engine";
import { roleStatements } from "../relations";
import { block, blocks, isSet, isTrue, shown, StackView, TfResource } from "../terraform";

const PROJECT = ["aws_codebuild_project"];
const DOCKER_BUILD = /\bdocker\s+(build|buildx|push)\b/;
const PUSH_ACTIONS = ["ecr:putimage", "ecr:completelayerupload", "ecr:*"];

/**
 * Evidence that a project builds container images: an inline buildspec that runs
 * `docker build/push`, or a service role allowed to push to ECR.
 */
function buildsImages(stack: StackView, project: TfResource): boolean {
  const specs = [block(project.values.source), ...blocks(project.values.secondary_sources)].map((s) => s.buildspec);
  if (specs.some((spec) => typeof spec === "string" && DOCKER_BUILD.test(spec))) return true;
  return stack
    .refs(project.values.service_role, "aws_iam_role")
    .flatMap((role) => roleStatements(stack, role))
    .some((s) => s.effect === "Allow" && s.actions.some((a) => PUSH_ACTIONS.includes(a.toLowerCase())));
}

export const CODEBUILD_RULES: Rule[] = [
  {
    id: "CODEBUILD.PRIVILEGED_DOCKER_ONLY",
    title: "Privileged mode is on only for projects that build container images.",
    rationale: "Privileged builds run with root on the build host's Docker daemon; a compromised dependency in a plain application build gets that power for nothing.",
    fix: "Turn environment.privileged_mode off for application builds; Docker builds show their intent through a buildspec that runs docker build/push or an ECR push grant on the service role.",
    checkov: ["CKV_AWS_316"],
    resourceTypes: PROJECT,
    scope: "projects with environment.privileged_mode = true",
    appliesTo: (project) => isTrue(block(project.values.environment).privileged_mode),
    check: (project, stack) => (buildsImages(stack, project) ? undefined : "privileged_mode is true, but neither the buildspec nor the service role shows a Docker image build"),
  },
  {
    id: "CODEBUILD.ARTIFACTS_ENCRYPTED",
    title: "Build artifacts and S3 build logs are encrypted.",
    rationale: "Artifacts carry the application and often its configuration; unencrypted objects are readable by anyone who reaches the bucket.",
    fix: "Remove encryption_disabled = true from artifacts, secondary_artifacts and logs_config.s3_logs (and set encryption_key to the environment's KMS key).",
    checkov: ["CKV_AWS_78", "CKV_AWS_311"],
    resourceTypes: PROJECT,
    check: (project) => {
      const v = project.values;
      const outputs = [
        ["artifacts", block(v.artifacts)],
        ...blocks(v.secondary_artifacts).map((a, i) => [`secondary_artifacts[${i}]`, a] as const),
        ["logs_config.s3_logs", block(block(v.logs_config).s3_logs)],
      ] as const;
      return outputs.filter(([, o]) => isTrue(o.encryption_disabled)).map(([name]) => `${name}.encryption_disabled is true`);
    },
  },
  {
    id: "CODEBUILD.LOGS",
    title: "Every project sends build logs to a named CloudWatch log group or to S3.",
    rationale: "Without logs_config CodeBuild writes to /aws/codebuild/<project>, a group it creates itself without retention or encryption, outside Terraform.",
    fix: "Set logs_config { cloudwatch_logs { group_name = <managed log group with retention> } } (or s3_logs { status = \"ENABLED\", location }).",
    checkov: ["CKV_AWS_314"],
    resourceTypes: PROJECT,
    check: (project) => {
      const logs = block(project.values.logs_config);
      const cloudwatch = block(logs.cloudwatch_logs);
      const s3 = block(logs.s3_logs);
      if (cloudwatch.status !== "DISABLED" && isSet(cloudwatch.group_name)) return undefined;
      if (s3.status === "ENABLED" && isSet(s3.location)) return undefined;
      return project.values.logs_config === undefined ? "no logs_config" : `logs_config is ${shown(project.values.logs_config)}`;
    },
  },
];
