import { SecurityGroup as AwsSecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";
import { pin, snake } from "../lib/address";
import { isIpv6Cidr } from "../lib/cidr";

/**
 * Where traffic comes from or goes to: a CIDR block, a security group of this app, a security
 * group known only by id (for example from another stack), or a managed prefix list. Peers known
 * by id carry a `name`, which goes into the rule's address.
 */
export type Peer =
  | { readonly cidr: string }
  | { readonly securityGroup: SecurityGroup }
  | { readonly securityGroupId: string; readonly name: string }
  | { readonly prefixListId: string; readonly name: string };

export interface PortRange {
  readonly from: number;
  /** @default from */
  readonly to?: number;
  /** @default "tcp" */
  readonly protocol?: "tcp" | "udp";
}

export interface SecurityGroupProps {
  readonly vpcId: string;
  /** Group name (unique in the VPC). */
  readonly groupName: string;
  readonly description: string;
}

/**
 * A security group whose rules are separate `aws_vpc_security_group_{ingress,egress}_rule`
 * resources (one per peer, each with a description), never inline blocks, so adding a rule never
 * rewrites the others. The group starts with no rules at all: the provider removes the allow-all
 * egress rule AWS adds to new groups, and no inline blocks are set (they would fight the rule resources).
 */
export class SecurityGroup extends Construct {
  public readonly securityGroupId: string;
  private readonly names = new Set<string>();

  constructor(scope: Construct, id: string, props: SecurityGroupProps) {
    super(scope, id);
    const group = pin(
      this,
      new AwsSecurityGroup(this, "group", {
        name: props.groupName,
        description: props.description,
        vpcId: props.vpcId,
        tags: { Name: props.groupName },
        // Replacement must not wait on instances still attached to the old group.
        lifecycle: { createBeforeDestroy: true },
      }),
    );
    this.securityGroupId = group.id;
  }

  /**
   * Admits traffic from `peer` on `ports`. `name` is the rule's role (e.g. "https"); the address is
   * `<group>_<name>_from_<peer>` so it does not depend on list order. Returns the rule resource
   * (for example to suppress a policy rule on it with its reason).
   */
  public allowIngress(name: string, peer: Peer, ports: PortRange, description: string): VpcSecurityGroupIngressRule {
    const rule = new VpcSecurityGroupIngressRule(this, this.ruleName(`${name}-from-${peerName(peer)}`), this.ruleArgs(peer, ports, description));
    return pin(this, rule, rule.node.id);
  }

  public allowEgress(name: string, peer: Peer, ports: PortRange, description: string): VpcSecurityGroupEgressRule {
    const rule = new VpcSecurityGroupEgressRule(this, this.ruleName(`${name}-to-${peerName(peer)}`), this.ruleArgs(peer, ports, description));
    return pin(this, rule, rule.node.id);
  }

  /** Ingress and egress rules take the same arguments; only the direction of `peer` differs. */
  private ruleArgs(peer: Peer, ports: PortRange, description: string) {
    return {
      securityGroupId: this.securityGroupId,
      description,
      ipProtocol: ports.protocol ?? "tcp",
      fromPort: ports.from,
      toPort: ports.to ?? ports.from,
      ...peerArgs(peer),
    };
  }

  private ruleName(name: string): string {
    if (this.names.has(name)) throw new Error(`${this.node.path}: a rule named ${name} exists already`);
    this.names.add(name);
    return name;
  }
}

function peerName(peer: Peer): string {
  if ("securityGroup" in peer) return peer.securityGroup.node.id;
  if ("name" in peer) return peer.name;
  return isIpv6Cidr(peer.cidr) ? `ipv6-${snake(peer.cidr) || "any"}` : snake(peer.cidr);
}

function peerArgs(peer: Peer) {
  if ("securityGroup" in peer) return { referencedSecurityGroupId: peer.securityGroup.securityGroupId };
  if ("securityGroupId" in peer) return { referencedSecurityGroupId: peer.securityGroupId };
  if ("prefixListId" in peer) return { prefixListId: peer.prefixListId };
  return isIpv6Cidr(peer.cidr) ? { cidrIpv6: peer.cidr } : { cidrIpv4: peer.cidr };
}
