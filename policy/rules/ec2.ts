import { Rule } from "../engine";
import { launchTemplatesOf } from "../relations";
import { block, blocks, isFalse, isTrue, shown, StackView, TfResource } from "../terraform";

/** Everything that launches instances with its own metadata, disk and network settings. */
const LAUNCHERS = ["aws_launch_template", "aws_instance", "aws_launch_configuration"];

const CONTAINER_RUNTIME = /\b(docker|containerd|podman|nerdctl|ECS_CLUSTER)\b/i;

/** Patterns of credentials that must never be baked into user data (it is readable by anyone who can describe the instance). */
export const SECRET_PATTERNS: ReadonlyArray<{ readonly kind: string; readonly pattern: RegExp }> = [
  { kind: "an AWS access key id", pattern: /\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b/ },
  { kind: "a private key", pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/ },
  {
    // KEY=value or "key": "value" where the key names a credential and the value is a literal,
    // not a variable ($X, ${X}, $(cmd)), a template ({{ }}, %{ }), a path or an ARN. No leading
    // `[A-Za-z0-9_]*` for the rest of the name: it changes nothing for `test` and made the match
    // quadratic on long base64 runs (40 ms per stack).
    kind: "a password, secret, token or API key with a literal value",
    pattern: /(?:password|passwd|secret_access_key|secret|token|api_?key)\\?["']?\s*[:=]\s*\\?["']?(?![$/{%<\\]|arn:|ssm:|resolve:)[^\s"'`;&|)\\]{4,}/i,
  },
];

/** User data as text: the argument itself and, when it is base64, its decoded form. */
export function userDataText(values: Record<string, any>): string {
  const parts: string[] = [];
  for (const key of ["user_data", "user_data_base64"]) {
    const value = values[key];
    if (typeof value !== "string") continue;
    parts.push(value);
    const compact = value.replace(/\s+/g, "");
    if (compact.length >= 8 && compact.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(compact)) parts.push(Buffer.from(compact, "base64").toString("utf8"));
  }
  return parts.join("\n");
}

/**
 * Evidence that a launch template or instance runs containers (which reach IMDS through one more
 * network hop): its user data starts a container runtime or joins an ECS cluster, or it backs an
 * ECS capacity provider or an EKS node group.
 */
function runsContainers(resource: TfResource, stack: StackView): boolean {
  if (CONTAINER_RUNTIME.test(userDataText(resource.values))) return true;
  if (resource.type !== "aws_launch_template") return false;
  if (stack.referrers(resource, ["aws_eks_node_group"], "launch_template").length > 0) return true;
  return stack
    .resources("aws_ecs_capacity_provider")
    .flatMap((p) => stack.refs(p.values.auto_scaling_group_provider, "aws_autoscaling_group"))
    .some((asg) => launchTemplatesOf(stack, asg).includes(resource));
}

/** Subnets of this stack that give instances a public address by default. */
function publicByDefault(stack: StackView, subnets: unknown): string[] {
  return stack
    .refs(subnets, "aws_subnet")
    .filter((s) => isTrue(s.values.map_public_ip_on_launch))
    .map((s) => s.address);
}

export const EC2_RULES: Rule[] = [
  {
    id: "EC2.IMDSV2",
    title: "Launch templates and instances require IMDSv2 session tokens (or turn the metadata service off).",
    rationale: "IMDSv1 answers plain GET requests, so an SSRF in the application hands out the instance role's credentials.",
    fix: "Set metadata_options { http_tokens = \"required\" } (and keep http_endpoint enabled only when the instance needs its metadata).",
    checkov: ["CKV_AWS_79"],
    resourceTypes: LAUNCHERS,
    check: (resource) => {
      const options = block(resource.values.metadata_options);
      if (options.http_endpoint === "disabled") return undefined;
      return options.http_tokens === "required" ? undefined : `metadata_options.http_tokens is ${shown(options.http_tokens)}`;
    },
  },
  {
    id: "EC2.IMDS_HOP_LIMIT",
    title: "The metadata response hop limit is 1, or 2 only where containers run.",
    rationale: "Each hop lets the IMDSv2 token travel one network layer further; 2 is what containers on the host need, anything more exposes credentials beyond the host.",
    fix: "Leave metadata_options.http_put_response_hop_limit unset (1); use 2 only for hosts whose user data starts Docker/containerd or that back an ECS capacity provider or EKS node group.",
    checkov: ["CKV_AWS_341"],
    resourceTypes: LAUNCHERS,
    check: (resource, stack) => {
      const limit = block(resource.values.metadata_options).http_put_response_hop_limit;
      if (limit === undefined || limit === 1) return undefined;
      if (typeof limit !== "number") return `metadata_options.http_put_response_hop_limit is ${shown(limit)}, not a number the pack can check`;
      if (limit > 2) return `metadata_options.http_put_response_hop_limit is ${limit}; at most 2 is allowed`;
      return runsContainers(resource, stack) ? undefined : "metadata_options.http_put_response_hop_limit is 2, but nothing shows containers run here (user data, ECS capacity provider, EKS node group)";
    },
  },
  {
    id: "EC2.EBS_ENCRYPTED",
    title: "Every EBS volume is encrypted: launch template block devices, instance root and data volumes, standalone volumes.",
    rationale: "Unencrypted volumes and their snapshots expose data to anyone who can copy or share a snapshot.",
    fix: "Map the root device in block_device_mappings with ebs { encrypted = \"true\" } (or root_block_device { encrypted = true } on instances), or turn on aws_ebs_encryption_by_default for the account.",
    checkov: ["CKV_AWS_8", "CKV_AWS_3", "CKV_AWS_106"],
    resourceTypes: [...LAUNCHERS, "aws_ebs_volume"],
    check: (resource, stack) => {
      if (stack.resources("aws_ebs_encryption_by_default").some((d) => !isFalse(d.values.enabled))) return undefined;
      const v = resource.values;
      if (resource.type === "aws_ebs_volume") return isTrue(v.encrypted) ? undefined : `encrypted is ${shown(v.encrypted)}`;
      if (resource.type === "aws_launch_template") {
        const mappings = blocks(v.block_device_mappings).filter((m) => m.ebs !== undefined);
        if (mappings.length === 0) return "no block_device_mappings with ebs: the root volume's encryption follows the AMI's snapshot";
        return mappings.filter((m) => !isTrue(block(m.ebs).encrypted)).map((m) => `block_device_mappings ${shown(m.device_name)}: ebs.encrypted is ${shown(block(m.ebs).encrypted)}`);
      }
      const devices: Array<[string, Record<string, any>]> = [
        ["root_block_device", block(v.root_block_device)],
        ...blocks(v.ebs_block_device).map((d): [string, Record<string, any>] => [`ebs_block_device ${shown(d.device_name)}`, d]),
      ];
      return devices.filter(([, d]) => !isTrue(d.encrypted)).map(([name, d]) => `${name}: encrypted is ${shown(d.encrypted)}`);
    },
  },
  {
    id: "EC2.NO_PUBLIC_IP",
    title: "Instances get no public IP address (explicitly or from their subnet) unless the configuration asks for it.",
    rationale: "A public address makes the instance reachable from the internet as soon as a security group rule allows it; fleets are reached through the load balancer.",
    fix: "Run instances in private subnets without associate_public_ip_address; when the configuration puts the fleet in public subnets on purpose, suppress the rule on the launch template with that reason.",
    checkov: ["CKV_AWS_88"],
    resourceTypes: LAUNCHERS,
    check: (resource, stack) => {
      const v = resource.values;
      if (resource.type === "aws_launch_template") {
        const interfaces = blocks(v.network_interfaces);
        const explicit = interfaces.filter((n) => isTrue(n.associate_public_ip_address)).map((n) => `network_interfaces[${interfaces.indexOf(n)}].associate_public_ip_address is true`);
        if (explicit.length > 0 || interfaces.some((n) => isFalse(n.associate_public_ip_address))) return explicit;
        const subnets = stack.resources("aws_autoscaling_group").filter((asg) => launchTemplatesOf(stack, asg).includes(resource)).map((asg) => asg.values.vpc_zone_identifier);
        return publicByDefault(stack, subnets).map((s) => `instances launch in ${s}, which has map_public_ip_on_launch = true`);
      }
      if (isTrue(v.associate_public_ip_address)) return "associate_public_ip_address is true";
      if (isFalse(v.associate_public_ip_address)) return undefined;
      return publicByDefault(stack, [v.subnet_id, v.vpc_zone_identifier]).map((s) => `the instance launches in ${s}, which has map_public_ip_on_launch = true`);
    },
  },
  {
    id: "EC2.USER_DATA_SECRETS",
    title: "User data holds no credentials: no AWS access keys, private keys, or literal passwords, secrets or tokens.",
    rationale: "User data is readable by anyone allowed to describe the instance attribute and is logged on the host; secrets belong in SSM Parameter Store or Secrets Manager, read at boot with the instance role.",
    fix: "Remove the value from user data and read it at boot from SSM Parameter Store (SecureString) or Secrets Manager with the instance role.",
    checkov: ["CKV_AWS_46"],
    resourceTypes: LAUNCHERS,
    check: (resource) => {
      const text = userDataText(resource.values);
      // Only the kind is reported, never the match: the message must not leak the secret into logs.
      return SECRET_PATTERNS.filter((p) => p.pattern.test(text)).map((p) => `user data contains what looks like ${p.kind}`);
    },
  },
];
