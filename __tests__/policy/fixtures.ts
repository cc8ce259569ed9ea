// Minimal stacks for rule tests: raw provider resources (deep imports), compliant by default, with
// overrides that weaken exactly one thing.
import { AutoscalingGroup, AutoscalingGroupConfig } from "@cdktf/provider-aws/lib/autoscaling-group";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LaunchTemplate, LaunchTemplateConfig } from "@cdktf/provider-aws/lib/launch-template";
import { Lb, LbConfig } from "@cdktf/provider-aws/lib/lb";
import { LbListener, LbListenerConfig } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup, LbTargetGroupConfig } from "@cdktf/provider-aws/lib/lb-target-group";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule, VpcSecurityGroupIngressRuleConfig } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { TerraformStack, Testing } from "cdktf";
import { checkStack, Finding, ruleById } from "../../policy";

export type Build = (stack: TerraformStack) => void;

export function emptyStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app({ stackTraces: false }), "test");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  return stack;
}

/** The verdict of one rule on one resource of a stack built by `build`. */
export function verdict(ruleId: string, subject: string, build: Build, options: { protection?: boolean } = {}): Finding {
  const rule = ruleById(ruleId);
  if (!rule) throw new Error(`no rule ${ruleId}`);
  const stack = emptyStack();
  build(stack);
  const report = checkStack(stack, { rules: [rule], protection: options.protection ?? true });
  const finding = report.findings.find((f) => f.address === subject);
  if (!finding) throw new Error(`${ruleId} did not evaluate ${subject}; it evaluated: ${report.findings.map((f) => f.address).join(", ") || "nothing"}`);
  return finding;
}

/** Addresses a rule evaluated on a stack (to prove a rule does not apply). */
export function evaluated(ruleId: string, build: Build, options: { protection?: boolean } = {}): string[] {
  const stack = emptyStack();
  build(stack);
  return checkStack(stack, { rules: [ruleById(ruleId)!], protection: options.protection ?? true }).findings.map((f) => f.address);
}

export function document(stack: TerraformStack, id: string, statement: DataAwsIamPolicyDocumentStatement[]): DataAwsIamPolicyDocument {
  return new DataAwsIamPolicyDocument(stack, id, { statement });
}

/** A role assumed by `service`, optionally with an inline policy; the instance profile makes EC2 its user. */
export function role(stack: TerraformStack, options: { trust?: DataAwsIamPolicyDocumentStatement[]; policy?: DataAwsIamPolicyDocumentStatement[]; instanceProfile?: boolean } = {}): IamRole {
  const trust = document(stack, "trust", options.trust ?? [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }] }]);
  const r = new IamRole(stack, "role", { name: "app", assumeRolePolicy: trust.json });
  if (options.policy) new IamRolePolicy(stack, "policy", { role: r.name, policy: document(stack, "permissions", options.policy).json });
  if (options.instanceProfile ?? true) new IamInstanceProfile(stack, "profile", { role: r.name });
  return r;
}

export function loadBalancer(stack: TerraformStack, overrides: Partial<LbConfig> = {}): { lb: Lb; securityGroup: SecurityGroup } {
  const securityGroup = new SecurityGroup(stack, "alb_sg", { description: "load balancer" });
  const lb = new Lb(stack, "alb", {
    loadBalancerType: "application",
    securityGroups: [securityGroup.id],
    subnets: ["subnet-a", "subnet-b"],
    dropInvalidHeaderFields: true,
    enableDeletionProtection: true,
    accessLogs: { bucket: "access-logs", enabled: true },
    ...overrides,
  });
  return { lb, securityGroup };
}

export const CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/abc";

export function listener(stack: TerraformStack, id: string, lb: Lb, config: Partial<LbListenerConfig>): LbListener {
  return new LbListener(stack, id, { loadBalancerArn: lb.arn, port: 443, defaultAction: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404" } }], ...config });
}

export const REDIRECT_TO_HTTPS = [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }];

export function targetGroup(stack: TerraformStack, overrides: Partial<LbTargetGroupConfig> = {}): LbTargetGroup {
  return new LbTargetGroup(stack, "tg", { port: 3000, protocol: "HTTP", vpcId: "vpc-1", healthCheck: { enabled: true, path: "/health" }, ...overrides });
}

export const SECURE_METADATA = { httpTokens: "required", httpEndpoint: "enabled" };
export const ENCRYPTED_ROOT = [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeType: "gp3", volumeSize: 20 } }];

export function launchTemplate(stack: TerraformStack, overrides: Partial<LaunchTemplateConfig> = {}): LaunchTemplate {
  return new LaunchTemplate(stack, "lt", { metadataOptions: SECURE_METADATA, blockDeviceMappings: ENCRYPTED_ROOT, ...overrides });
}

export interface FleetOptions {
  readonly template?: Partial<LaunchTemplateConfig>;
  readonly group?: Partial<AutoscalingGroupConfig>;
  /** Ingress rules of the instance security group. */
  readonly ingress?: (instances: SecurityGroup, alb: SecurityGroup) => Array<Omit<VpcSecurityGroupIngressRuleConfig, "securityGroupId">>;
}

/** A load-balanced fleet: ALB and its group, target group on 3000, launch template, Auto Scaling group. */
export function fleet(stack: TerraformStack, options: FleetOptions = {}) {
  const { lb, securityGroup: albGroup } = loadBalancer(stack);
  const instances = new SecurityGroup(stack, "instances", { description: "instances" });
  const tg = targetGroup(stack);
  const lt = launchTemplate(stack, { vpcSecurityGroupIds: [instances.id], ...options.template });
  const asg = new AutoscalingGroup(stack, "asg", {
    minSize: 1,
    maxSize: 2,
    launchTemplate: { id: lt.id, version: "$Latest" },
    targetGroupArns: [tg.arn],
    healthCheckType: "ELB",
    ...options.group,
  });
  const rules = options.ingress?.(instances, albGroup) ?? [{ description: "app from the ALB", ipProtocol: "tcp", fromPort: 3000, toPort: 3000, referencedSecurityGroupId: albGroup.id }];
  rules.forEach((r, i) => new VpcSecurityGroupIngressRule(stack, `ingress_${i}`, { securityGroupId: instances.id, ...r }));
  return { lb, albGroup, instances, tg, lt, asg };
}
