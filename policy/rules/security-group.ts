import { Rule } from "../engine";
import { fleetSecurityGroups, loadBalancerSecurityGroups, SECURITY_GROUP_TYPES } from "../relations";
import { blocks, isSet, isTrue, StackView, strings, TfResource } from "../terraform";

/** One security group rule, from a rule resource or an inline block. */
interface SgRule {
  /** Where it is, for messages: the resource itself, or `ingress[2]` of a group. */
  readonly where: string;
  readonly direction: "ingress" | "egress";
  /** Address of the group the rule belongs to (the raw value when it is not in this stack). */
  readonly group: string;
  readonly cidrs: readonly string[];
  /** Security groups (or prefix lists) traffic comes from or goes to, as written. */
  readonly peers: readonly string[];
  readonly self: boolean;
  readonly protocol: string;
  readonly from?: number;
  readonly to?: number;
  readonly description?: unknown;
}

const RULE_TYPES = ["aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule", "aws_security_group_rule", ...SECURITY_GROUP_TYPES];
const WORLD = ["0.0.0.0/0", "::/0"];
const ADMIN_PORTS: ReadonlyArray<readonly [number, string]> = [
  [22, "SSH"],
  [3389, "RDP"],
];

function groupOf(stack: StackView, value: unknown): string {
  return stack.refs(value, ...SECURITY_GROUP_TYPES)[0]?.address ?? String(value);
}

function rulesOf(resource: TfResource, stack: StackView): SgRule[] {
  const v = resource.values;
  const ports = (b: Record<string, any>) => ({ from: b.from_port, to: b.to_port, description: b.description });
  switch (resource.type) {
    case "aws_vpc_security_group_ingress_rule":
    case "aws_vpc_security_group_egress_rule":
      return [
        {
          where: resource.address,
          direction: resource.type.includes("ingress") ? "ingress" : "egress",
          group: groupOf(stack, v.security_group_id),
          cidrs: [v.cidr_ipv4, v.cidr_ipv6].filter(isSet),
          peers: [v.referenced_security_group_id, v.prefix_list_id].filter(isSet),
          self: false,
          protocol: String(v.ip_protocol),
          ...ports(v),
        },
      ];
    case "aws_security_group_rule":
      return [
        {
          where: resource.address,
          direction: v.type === "egress" ? "egress" : "ingress",
          group: groupOf(stack, v.security_group_id),
          cidrs: [...strings(v.cidr_blocks), ...strings(v.ipv6_cidr_blocks)],
          peers: [v.source_security_group_id, ...strings(v.prefix_list_ids)].filter(isSet),
          self: isTrue(v.self),
          protocol: String(v.protocol),
          ...ports(v),
        },
      ];
    default:
      return (["ingress", "egress"] as const).flatMap((direction) =>
        blocks(v[direction]).map((b, i) => ({
          where: `${direction}[${i}]`,
          direction,
          group: resource.address,
          cidrs: [...strings(b.cidr_blocks), ...strings(b.ipv6_cidr_blocks)],
          peers: [...strings(b.security_groups), ...strings(b.prefix_list_ids)],
          self: isTrue(b.self),
          protocol: String(b.protocol),
          ...ports(b),
        })),
      );
  }
}

function ingressOf(resource: TfResource, stack: StackView): SgRule[] {
  return rulesOf(resource, stack).filter((r) => r.direction === "ingress");
}

function isAllTraffic(rule: SgRule): boolean {
  return ["-1", "all"].includes(rule.protocol.toLowerCase());
}

function reaches(rule: SgRule, port: number): boolean {
  if (isAllTraffic(rule)) return true;
  if (!["tcp", "6", "udp", "17"].includes(rule.protocol.toLowerCase())) return false;
  return Number(rule.from) <= port && port <= Number(rule.to);
}

function opensAllPorts(rule: SgRule): boolean {
  if (isAllTraffic(rule)) return true;
  return ["tcp", "6", "udp", "17"].includes(rule.protocol.toLowerCase()) && Number(rule.from) <= 1 && Number(rule.to) >= 65535;
}

function fromWorld(rule: SgRule): string[] {
  return rule.cidrs.filter((c) => WORLD.includes(c));
}

const prefix = (rule: SgRule, resource: TfResource) => (rule.where === resource.address ? "" : `${rule.where}: `);

export const SECURITY_GROUP_RULES: Rule[] = [
  {
    id: "SG.WORLD_ADMIN_PORTS",
    title: "No security group admits SSH (22) or RDP (3389) from 0.0.0.0/0 or ::/0.",
    rationale: "Administrative ports open to the internet are scanned within minutes and brute-forced; Session Manager needs no inbound port at all.",
    fix: "Remove the rule and use SSM Session Manager, or admit the port only from specific CIDR blocks (network.sshIngressCidrs).",
    checkov: ["CKV_AWS_24", "CKV_AWS_25"],
    resourceTypes: RULE_TYPES,
    scope: "ingress rules (rule resources and inline blocks)",
    appliesTo: (resource, stack) => ingressOf(resource, stack).length > 0,
    check: (resource, stack) =>
      ingressOf(resource, stack).flatMap((rule) =>
        fromWorld(rule).flatMap((cidr) => ADMIN_PORTS.filter(([port]) => reaches(rule, port)).map(([port, name]) => `${prefix(rule, resource)}ingress from ${cidr} reaches port ${port} (${name})`)),
      ),
  },
  {
    id: "SG.WORLD_ALL_PORTS",
    title: "No security group admits all ports or all protocols from 0.0.0.0/0 or ::/0.",
    rationale: "An all-ports rule from the internet exposes every service on the host, including ones nobody meant to publish.",
    fix: "Admit only the ports the service listens on, from the peers that need them (the ALB security group for instances).",
    checkov: ["CKV_AWS_277"],
    resourceTypes: RULE_TYPES,
    scope: "ingress rules (rule resources and inline blocks)",
    appliesTo: (resource, stack) => ingressOf(resource, stack).length > 0,
    check: (resource, stack) =>
      ingressOf(resource, stack).flatMap((rule) => (opensAllPorts(rule) ? fromWorld(rule).map((cidr) => `${prefix(rule, resource)}ingress from ${cidr} on all ports`) : [])),
  },
  {
    id: "SG.DESCRIPTIONS",
    title: "Every security group and every rule has a description.",
    rationale: "Reviewers and incident responders need to know why a port is open without reverse-engineering the system; undescribed rules are never cleaned up.",
    fix: "Give the group a description other than the provider's default \"Managed by Terraform\", and every rule a description saying who needs the access and why.",
    checkov: ["CKV_AWS_23"],
    resourceTypes: RULE_TYPES,
    check: (resource, stack) => {
      const problems = rulesOf(resource, stack)
        .filter((r) => !isSet(r.description))
        .map((r) => `${prefix(r, resource)}the ${r.direction} rule has no description`);
      if (resource.type === "aws_security_group" && (!isSet(resource.values.description) || resource.values.description === "Managed by Terraform")) {
        problems.unshift("the group has no description of its own (the provider default is \"Managed by Terraform\")");
      }
      return problems;
    },
  },
  {
    id: "SG.FLEET_INGRESS_FROM_LB",
    title: "Instances behind a load balancer admit traffic only from the load balancer's security group, on the target group's port.",
    rationale: "The load balancer is the fleet's only front door; any other ingress bypasses TLS termination, header sanitizing and access logs.",
    fix: "Replace the rule with one whose referenced_security_group_id is the ALB security group and whose port is the target group's port; admit SSH only through an explicit configuration choice (suppressed with its reason).",
    resourceTypes: RULE_TYPES,
    scope: "ingress rules of security groups used by launch templates of load-balanced Auto Scaling groups or by instances registered with a target group",
    appliesTo: (resource, stack) => ingressOf(resource, stack).some((r) => fleetSecurityGroups(stack).has(r.group)),
    check: (resource, stack) => {
      const fleets = fleetSecurityGroups(stack);
      const balancers = loadBalancerSecurityGroups(stack);
      return ingressOf(resource, stack)
        .filter((rule) => fleets.has(rule.group))
        .flatMap((rule) => {
          const ports = fleets.get(rule.group)!;
          const where = prefix(rule, resource);
          const problems = rule.cidrs.map((c) => `${where}ingress from the CIDR block ${c}`);
          if (rule.self) problems.push(`${where}ingress from the group itself (self)`);
          problems.push(...rule.peers.filter((p) => !balancers.has(groupOf(stack, p))).map((p) => `${where}ingress from ${groupOf(stack, p)}, which is not a load balancer's security group`));
          const onePort = !isAllTraffic(rule) && rule.from === rule.to && (ports.size === 0 || ports.has(Number(rule.from)));
          const range = isAllTraffic(rule) ? "all ports" : rule.from === rule.to ? `port ${rule.from}` : `ports ${rule.from}-${rule.to}`;
          if (!onePort) problems.push(`${where}${range}; allowed: ${ports.size ? `port ${[...ports].join(" or ")}` : "a single port"}`);
          return problems;
        });
    },
  },
];
