import { Rule } from "../engine";
import { block, blocks, isExpression, isTrue, shown } from "../terraform";

const REPOSITORY = ["aws_ecr_repository"];

export const ECR_RULES: Rule[] = [
  {
    id: "ECR.SCAN_ON_PUSH",
    title: "Every repository scans images on push (or the registry scans every repository on push or continuously).",
    rationale: "Scanning at push time reports known CVEs in an image before CodeDeploy or ECS rolls it out.",
    fix: "Set image_scanning_configuration { scan_on_push = true } on the aws_ecr_repository, or configure aws_ecr_registry_scanning_configuration with a rule for all repositories.",
    checkov: ["CKV_AWS_163"],
    resourceTypes: REPOSITORY,
    check: (repository, stack) => {
      if (isTrue(block(repository.values.image_scanning_configuration).scan_on_push)) return undefined;
      const registryWide = stack
        .resources("aws_ecr_registry_scanning_configuration")
        .some((c) => blocks(c.values.rule).some((r) => blocks(r.repository_filter).some((f) => f.filter === "*")));
      return registryWide ? undefined : `image_scanning_configuration.scan_on_push is ${shown(block(repository.values.image_scanning_configuration).scan_on_push)}`;
    },
  },
  {
    id: "ECR.IMMUTABLE_TAGS",
    title: "Every repository refuses to overwrite an existing image tag.",
    rationale: "With mutable tags the image a release deployed can change under the same tag, so rollbacks and audits no longer know what ran.",
    fix: "Set image_tag_mutability = \"IMMUTABLE\" (ContainerRepository's default), or suppress the rule on the repository with the reason the configuration chose mutable tags.",
    checkov: ["CKV_AWS_51"],
    resourceTypes: REPOSITORY,
    check: (repository) => {
      const mutability = repository.values.image_tag_mutability;
      return typeof mutability === "string" && mutability.startsWith("IMMUTABLE") ? undefined : `image_tag_mutability is ${shown(mutability, "MUTABLE by default")}`;
    },
  },
  {
    id: "ECR.LIFECYCLE_POLICY",
    title: "Every repository has a lifecycle policy with at least one rule.",
    rationale: "Every build pushes an image; without expiry the repository grows without bound and storage is billed forever.",
    fix: "Add an aws_ecr_lifecycle_policy for the repository that expires untagged images and keeps the last N images.",
    resourceTypes: REPOSITORY,
    check: (repository, stack) => {
      const policies = stack.referrers(repository, ["aws_ecr_lifecycle_policy"], "repository");
      if (policies.length === 0) return "no aws_ecr_lifecycle_policy refers to this repository";
      const withRules = policies.some((p) => isExpression(p.values.policy) || parseRules(p.values.policy).length > 0);
      return withRules ? undefined : `${policies[0].address}: the policy has no rules`;
    },
  },
];

function parseRules(policy: unknown): unknown[] {
  try {
    const rules = JSON.parse(String(policy)).rules;
    return Array.isArray(rules) ? rules : [];
  } catch {
    return [];
  }
}
