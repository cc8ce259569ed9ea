import { Rule } from "../engine";
import { ASG_RULES } from "./autoscaling";
import { CLOUDFRONT_RULES } from "./cloudfront";
import { CODEBUILD_RULES } from "./codebuild";
import { CODEDEPLOY_RULES } from "./codedeploy";
import { EC2_RULES } from "./ec2";
import { ECR_RULES } from "./ecr";
import { ECS_RULES } from "./ecs";
import { IAM_RULES } from "./iam";
import { LOAD_BALANCER_RULES } from "./load-balancer";
import { MONITORING_RULES } from "./monitoring";
import { RDS_RULES } from "./rds";
import { S3_RULES } from "./s3";
import { SECURITY_GROUP_RULES } from "./security-group";
import { WAF_RULES } from "./waf";

export { SECRET_PATTERNS, userDataText } from "./ec2";
export { MODERN_SSL_POLICY } from "./load-balancer";

/** Every rule of the pack, in the order reports list them. */
export const RULES: readonly Rule[] = [
  ...S3_RULES,
  ...ECR_RULES,
  ...EC2_RULES,
  ...ASG_RULES,
  ...LOAD_BALANCER_RULES,
  ...SECURITY_GROUP_RULES,
  ...IAM_RULES,
  ...CLOUDFRONT_RULES,
  ...CODEBUILD_RULES,
  ...CODEDEPLOY_RULES,
  ...MONITORING_RULES,
  ...RDS_RULES,
  ...ECS_RULES,
  ...WAF_RULES,
];

/** Section titles of the rule reference, by rule id prefix. */
export const FAMILIES: Record<string, string> = {
  S3: "S3 buckets",
  ECR: "ECR repositories",
  EC2: "Launch templates and instances",
  ASG: "Auto Scaling groups",
  ALB: "Load balancers",
  SG: "Security groups",
  IAM: "IAM",
  CLOUDFRONT: "CloudFront",
  CODEBUILD: "CodeBuild",
  CODEDEPLOY: "CodeDeploy",
  LOGS: "CloudWatch Logs",
  SNS: "SNS",
  RDS: "RDS",
  ECS: "ECS",
  WAF: "AWS WAF",
};

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
