import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { NetworkAcl } from "@cdktf/provider-aws/lib/network-acl";
import { NetworkAclRule } from "@cdktf/provider-aws/lib/network-acl-rule";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { childId, pin } from "../lib/address";
import { cidrSubnet, formatCidr, parseCidr } from "../lib/cidr";
import { suppress } from "../policy";
import { AccountContext } from "./account-context";
import { EncryptionKey } from "./encryption-key";
import { LogGroup } from "./log-group";
import { Role } from "./role";
import { SecurityGroup } from "./security-group";

/** Subnets are /(vpc prefix + 4) blocks; each tier owns four consecutive slots (one per AZ). */
const SUBNET_NEW_BITS = 4;
const TIER_SLOT = { public: 0, private: 4, data: 8 } as const;
export const MAX_AVAILABILITY_ZONES = 4;

export type NatGatewayMode = "none" | "single" | "per-az";
export type SubnetTier = keyof typeof TIER_SLOT;

/** What the rest of an environment needs from a VPC, whether this stack owns it or imports it. */
export interface INetwork {
  readonly vpcId: string;
  readonly vpcCidr: string;
  /** Subnets of a tier (empty when the tier is not enabled). */
  subnetIds(tier: SubnetTier): string[];
  /** The `index`-th subnet of a tier; works when the list is a reference. */
  subnetId(tier: SubnetTier, index: number): string;
  /**
   * What must exist before something in that subnet can reach the internet (routes created in
   * this stack); empty when the network is owned by another stack, which has applied them already.
   */
  egressDependencies(tier: SubnetTier, index: number): ITerraformDependable[];
  /**
   * A security group with no rules yet, in this VPC, named `<prefix>-<role>`; its construct id
   * (and so its address) is `<network id>-<role>`.
   */
  addSecurityGroup(role: string, description: string): SecurityGroup;
}

export interface FlowLogOptions {
  /** Days to keep flow records. */
  readonly retentionDays: number;
  /**
   * Which traffic to record.
   * @default "ALL"
   */
  readonly trafficType?: "ALL" | "ACCEPT" | "REJECT";
}

export interface NetworkProps {
  /** Prefix of every name and Name tag, e.g. `webapp-staging`. */
  readonly namePrefix: string;
  /** VPC CIDR, /16 to /22, in network form. */
  readonly cidr: string;
  /** Zones to span (2 to 4): names, or references from {@link AccountContext.availabilityZones}. */
  readonly availabilityZones: readonly string[];
  /**
   * Port the application listens on; the only port the ALB may reach instances on.
   * Required unless `instanceSecurityGroup` is false.
   */
  readonly appPort?: number;
  /** Key for the flow log group. */
  readonly encryptionKey: EncryptionKey;
  /**
   * Create private application subnets.
   * @default true
   */
  readonly privateSubnets?: boolean;
  /**
   * NAT gateways for the private subnets (ignored without them).
   * @default "single"
   */
  readonly natGateways?: NatGatewayMode;
  /**
   * Create isolated data subnets, a network ACL for them and the database security group.
   * @default false
   */
  readonly dataSubnets?: boolean;
  /**
   * Database port admitted from the application tier.
   * @default 5432
   */
  readonly databasePort?: number;
  /**
   * Who may reach the load balancer on 80 (and 443 with {@link albHttps}).
   * @default ["0.0.0.0/0"]
   */
  readonly albIngressCidrs?: readonly string[];
  /**
   * The load balancer has an HTTPS listener: `albIngressCidrs` may reach 443 too. Port 80 is always
   * admitted (it serves, or redirects to HTTPS); a port without a listener is never opened.
   * @default false
   */
  readonly albHttps?: boolean;
  /**
   * Who may reach instances on SSH (22).
   * @default [] (no SSH rule; use Session Manager)
   */
  readonly sshIngressCidrs?: readonly string[];
  /**
   * Create the load balancer security group (80, and 443 with `albHttps`, from `albIngressCidrs`). Stacks without a load
   * balancer (a plain host serving traffic itself) leave it out.
   * @default true
   */
  readonly loadBalancerSecurityGroup?: boolean;
  /**
   * Create the instance security group (app port from the ALB group only). A VPC that hosts the
   * fleets of other stacks (shared load balancer) leaves it to them.
   * @default true
   */
  readonly instanceSecurityGroup?: boolean;
  /**
   * VPC flow logs to CloudWatch Logs; `false` turns them off.
   * @default { retentionDays: 90, trafficType: "ALL" }
   */
  readonly flowLogs?: FlowLogOptions | false;
  /**
   * VPC endpoints of the private subnets (nothing without them): the S3 gateway endpoint on their
   * route tables, and interface endpoints (`com.amazonaws.<region>.<name>`, private DNS) in them.
   * @default { s3Gateway: true, interface: [] }
   */
  readonly endpoints?: EndpointOptions;
}

export interface EndpointOptions {
  /**
   * S3 gateway endpoint on every private route table (free of charge).
   * @default true
   */
  readonly s3Gateway?: boolean;
  /**
   * Interface endpoints by service name, e.g. `ssm`, `ecr.dkr`; each in every private subnet.
   * @default []
   */
  readonly interface?: readonly string[];
}

/**
 * A VPC over two to four zones with public subnets (internet gateway), optional private
 * application subnets (NAT: none, single or per zone), optional isolated data subnets behind their
 * own network ACL, the ALB / instance / database security groups, a locked-down default security
 * group and VPC flow logs.
 */
export class Network extends Construct implements INetwork {
  public readonly vpcId: string;
  public readonly vpcCidr: string;
  public readonly availabilityZones: readonly string[];
  public readonly publicSubnetIds: string[] = [];
  public readonly privateSubnetIds: string[] = [];
  public readonly dataSubnetIds: string[] = [];
  private readonly loadBalancerGroup?: SecurityGroup;
  /** Absent when `instanceSecurityGroup` is false. */
  public readonly instanceSecurityGroup?: SecurityGroup;
  /** Present when data subnets are enabled. */
  public readonly databaseSecurityGroup?: SecurityGroup;
  /** IDs of the NAT gateways (none with `natGateways: none`), e.g. for a dashboard's NAT bytes. */
  public readonly natGatewayIds: string[] = [];
  /** Planned CIDR of every subnet, by tier (computed at synth time). */
  public readonly subnetCidrs: Record<SubnetTier, string[]> = { public: [], private: [], data: [] };
  /** Endpoints created, by service name (`s3`, `ssm`, ...). */
  public readonly endpoints: Record<string, VpcEndpoint> = {};
  private endpointGroup?: SecurityGroup;
  private readonly vpc: Vpc;
  private readonly namePrefix: string;
  private readonly egress = new Map<string, ITerraformDependable[]>();

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const parent = parseCidr(props.cidr);
    if (!parent || parent.prefix < 16 || parent.prefix > 22) {
      throw new Error(`${this.node.path}: cidr ${JSON.stringify(props.cidr)} must be an IPv4 block in network form from /16 to /22`);
    }
    const zones = props.availabilityZones;
    if (zones.length < 2 || zones.length > MAX_AVAILABILITY_ZONES) {
      throw new Error(`${this.node.path}: availabilityZones has ${zones.length} entries; 2 to ${MAX_AVAILABILITY_ZONES} are allowed`);
    }
    this.availabilityZones = zones;
    this.namePrefix = props.namePrefix;
    const withPrivate = props.privateSubnets ?? true;
    const natMode: NatGatewayMode = withPrivate ? props.natGateways ?? "single" : "none";
    const withData = props.dataSubnets ?? false;
    const name = (suffix: string) => `${props.namePrefix}-${suffix}`;

    this.vpc = pin(
      this,
      new Vpc(this, "vpc", { cidrBlock: props.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: name("vpc") } }),
      "vpc",
    );
    this.vpcId = this.vpc.id;
    this.vpcCidr = props.cidr;

    // AWS gives every VPC a default group that allows all traffic between its members. Adopting it
    // with no inline rules empties it, and any rule added later by hand shows up as drift.
    pin(this, new DefaultSecurityGroup(this, "default-security-group", { vpcId: this.vpc.id, tags: { Name: name("default-do-not-use") } }), "default");

    const igw = pin(this, new InternetGateway(this, "igw", { vpcId: this.vpc.id, tags: { Name: name("igw") } }), "igw");

    // Public tier: one route table with the internet route.
    const publicTable = pin(this, new RouteTable(this, "public-rt", { vpcId: this.vpc.id, tags: { Name: name("public") } }), "public");
    const internet = pin(this, new Route(this, "public-internet", { routeTableId: publicTable.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }), "public_internet");
    const publicSubnets = zones.map((az, i) => {
      const subnet = this.subnet("public", i, az, parent);
      this.egress.set(`public-${i}`, [internet, this.associate(`public_${i}`, subnet.id, publicTable.id)]);
      return subnet;
    });

    // Private tier: a route table per zone, so moving from one NAT to NAT per zone only changes routes.
    const natGateways: NatGateway[] = [];
    const natCount = natMode === "per-az" ? zones.length : natMode === "single" ? 1 : 0;
    for (let i = 0; i < natCount; i++) {
      const eip = pin(this, new Eip(this, `nat-eip-${i}`, { domain: "vpc", tags: { Name: name(`nat-${i}`) } }), `nat_${i}`);
      natGateways.push(
        pin(
          this,
          new NatGateway(this, `nat-${i}`, { allocationId: eip.allocationId, subnetId: publicSubnets[i].id, tags: { Name: name(`nat-${i}`) }, dependsOn: [igw] }),
          `nat_${i}`,
        ),
      );
      this.natGatewayIds.push(natGateways[i].id);
    }
    const privateTables: RouteTable[] = [];
    if (withPrivate) {
      zones.forEach((az, i) => {
        const subnet = this.subnet("private", i, az, parent);
        const table = pin(this, new RouteTable(this, `private-rt-${i}`, { vpcId: this.vpc.id, tags: { Name: name(`private-${i}`) } }), `private_${i}`);
        privateTables.push(table);
        const nat = natGateways[natMode === "per-az" ? i : 0];
        const route = nat
          ? pin(this, new Route(this, `private-nat-${i}`, { routeTableId: table.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id }), `private_${i}_nat`)
          : undefined;
        const association = this.associate(`private_${i}`, subnet.id, table.id);
        this.egress.set(`private-${i}`, route ? [route, association] : [association]);
      });
    }

    if (withPrivate) this.endpointsOf(props.endpoints ?? {}, privateTables, props.cidr);

    // Data tier: no route out of the VPC, and a NACL that admits only the database port from the VPC.
    if (withData) {
      const dataTable = pin(this, new RouteTable(this, "data-rt", { vpcId: this.vpc.id, tags: { Name: name("data") } }), "data");
      const dataSubnets = zones.map((az, i) => {
        const subnet = this.subnet("data", i, az, parent);
        this.associate(`data_${i}`, subnet.id, dataTable.id);
        return subnet;
      });
      this.dataNetworkAcl(dataSubnets.map((s) => s.id), props.databasePort ?? 5432, props.cidr);
    }

    if (props.loadBalancerSecurityGroup ?? true) {
      this.loadBalancerGroup = new SecurityGroup(this, childId(this, "alb"), {
        vpcId: this.vpc.id,
        groupName: name("alb"),
        description: `Load balancer of ${props.namePrefix}: HTTP and HTTPS from the allowed CIDRs`,
      });
      const https = props.albHttps ?? false;
      for (const cidr of props.albIngressCidrs ?? ["0.0.0.0/0"]) {
        this.loadBalancerGroup.allowIngress("http", { cidr }, { from: 80 }, `HTTP from ${cidr} (redirected to HTTPS when a certificate is set)`);
        if (https) this.loadBalancerGroup.allowIngress("https", { cidr }, { from: 443 }, `HTTPS from ${cidr}`);
      }
    }
    if (props.instanceSecurityGroup ?? true) {
      if (props.appPort === undefined) throw new Error(`${this.node.path}: appPort is required for the instance security group`);
      const instances = new SecurityGroup(this, childId(this, "instances"), {
        vpcId: this.vpc.id,
        groupName: name("instances"),
        description: `Application instances of ${props.namePrefix}: app port from the load balancer only`,
      });
      this.instanceSecurityGroup = instances;
      this.albSecurityGroup.allowEgress("app", { securityGroup: instances }, { from: props.appPort }, "Forward to instances on the app port");
      instances.allowIngress("app", { securityGroup: this.albSecurityGroup }, { from: props.appPort }, "App port from the load balancer");
      for (const cidr of props.sshIngressCidrs ?? []) {
        const ssh = instances.allowIngress("ssh", { cidr }, { from: 22 }, `SSH from ${cidr}`);
        suppress(ssh, "SG.FLEET_INGRESS_FROM_LB", `SSH from ${cidr} is an explicit choice of the configuration (network.sshIngressCidrs); /0 is refused there`);
      }
      // HTTPS out reaches AWS APIs (SSM, CodeDeploy, ECR, CloudWatch), S3 and the AL2023 package repos.
      instances.allowEgress("https", { cidr: "0.0.0.0/0" }, { from: 443 }, "HTTPS to AWS APIs and package repositories");

      if (withData) {
        const port = props.databasePort ?? 5432;
        this.databaseSecurityGroup = new SecurityGroup(this, childId(this, "database"), {
          vpcId: this.vpc.id,
          groupName: name("database"),
          description: `Databases of ${props.namePrefix}: database port from the application instances only`,
        });
        this.databaseSecurityGroup.allowIngress("db", { securityGroup: instances }, { from: port }, "Database port from the application instances");
        instances.allowEgress("db", { securityGroup: this.databaseSecurityGroup }, { from: port }, "Database port to the database tier");
      }
    }

    if (props.flowLogs !== false) this.flowLogs(props.flowLogs ?? { retentionDays: 90 }, props.encryptionKey);
  }

  /** Security group of the interface endpoints; undefined when there are none. */
  public get endpointSecurityGroup(): SecurityGroup | undefined {
    return this.endpointGroup;
  }

  /** The load balancer's security group; only when `loadBalancerSecurityGroup` is not false. */
  public get albSecurityGroup(): SecurityGroup {
    if (!this.loadBalancerGroup) throw new Error(`${this.node.path}: the network was created with loadBalancerSecurityGroup: false`);
    return this.loadBalancerGroup;
  }

  /** Subnets the given tier offers (empty when the tier is not enabled). */
  public subnetIds(tier: SubnetTier): string[] {
    return tier === "public" ? this.publicSubnetIds : tier === "private" ? this.privateSubnetIds : this.dataSubnetIds;
  }

  public subnetId(tier: SubnetTier, index: number): string {
    const ids = this.subnetIds(tier);
    if (index >= ids.length) throw new Error(`${this.node.path}: the ${tier} tier has ${ids.length} subnet(s), no index ${index}`);
    return ids[index];
  }

  public addSecurityGroup(role: string, description: string): SecurityGroup {
    return new SecurityGroup(this, childId(this, role), { vpcId: this.vpcId, groupName: `${this.namePrefix}-${role}`, description });
  }

  /**
   * What a subnet's way out of the VPC is made of: its route table association and its default
   * route (to the internet gateway, or to a NAT gateway, which the route waits for). Something that
   * needs the internet as soon as it is created, such as an Image Builder build, depends on these;
   * a reference to the subnet alone lets Terraform start it before the route exists.
   */
  public egressDependencies(tier: SubnetTier, index: number): ITerraformDependable[] {
    const found = this.egress.get(`${tier}-${index}`);
    if (!found) throw new Error(`${this.node.path}: there is no ${tier} subnet ${index}`);
    return [...found];
  }

  private subnet(tier: SubnetTier, index: number, az: string, parent: NonNullable<ReturnType<typeof parseCidr>>): Subnet {
    const cidr = formatCidr(cidrSubnet(parent, SUBNET_NEW_BITS, TIER_SLOT[tier] + index));
    this.subnetCidrs[tier].push(cidr);
    const subnet = pin(
      this,
      new Subnet(this, `${tier}-subnet-${index}`, {
        vpcId: this.vpc.id,
        cidrBlock: cidr,
        availabilityZone: az,
        // Nothing gets a public address by accident; launch templates that need one ask for it.
        mapPublicIpOnLaunch: false,
        tags: { Name: `${this.namePrefix}-${tier}-${index}`, Tier: tier },
      }),
      `${tier}_${index}`,
    );
    this.subnetIds(tier).push(subnet.id);
    return subnet;
  }

  private associate(name: string, subnetId: string, routeTableId: string): RouteTableAssociation {
    return pin(this, new RouteTableAssociation(this, `rta-${name}`, { subnetId, routeTableId }), name);
  }

  private dataNetworkAcl(subnetIds: string[], port: number, vpcCidr: string): void {
    const acl = pin(this, new NetworkAcl(this, "data-nacl", { vpcId: this.vpc.id, subnetIds, tags: { Name: `${this.namePrefix}-data` } }), "data");
    const rule = (name: string, ruleNumber: number, egress: boolean, from: number, to: number) =>
      pin(
        this,
        new NetworkAclRule(this, `data-nacl-${name}`, {
          networkAclId: acl.id,
          ruleNumber,
          egress,
          protocol: "tcp",
          ruleAction: "allow",
          cidrBlock: vpcCidr,
          fromPort: from,
          toPort: to,
        }),
        `data_${name}`,
      );
    // NACLs are stateless: admit the database port in, and replies to ephemeral ports out.
    rule("db_in", 100, false, port, port);
    rule("ephemeral_out", 100, true, 1024, 65535);
  }

  /**
   * The S3 gateway endpoint (a route to S3's prefix list in each private table; no hourly or data
   * charge) and the interface endpoints (an ENI per private subnet, private DNS so the SDKs' default
   * names resolve to them, HTTPS from the VPC only).
   */
  private endpointsOf(options: EndpointOptions, privateTables: RouteTable[], vpcCidr: string): void {
    const context = AccountContext.of(this);
    // Service names are com.amazonaws.<region>.<service>; China regions prefix them with "cn." (VPC endpoint services list).
    const serviceName = (service: string) => `${context.partition === "aws-cn" ? "cn." : ""}com.amazonaws.${context.region}.${service}`;
    if (options.s3Gateway ?? true) {
      this.endpoints.s3 = pin(
        this,
        new VpcEndpoint(this, "s3-gateway", {
          vpcId: this.vpc.id,
          serviceName: serviceName("s3"),
          vpcEndpointType: "Gateway",
          routeTableIds: privateTables.map((t) => t.id),
          tags: { Name: `${this.namePrefix}-s3` },
        }),
        "s3",
      );
    }
    const services = options.interface ?? [];
    if (services.length === 0) return;
    const group = new SecurityGroup(this, childId(this, "endpoints"), {
      vpcId: this.vpc.id,
      groupName: `${this.namePrefix}-endpoints`,
      description: `Interface VPC endpoints of ${this.namePrefix}: HTTPS from the VPC only`,
    });
    group.allowIngress("https", { cidr: vpcCidr }, { from: 443 }, "HTTPS from the VPC to the AWS API endpoints");
    this.endpointGroup = group;
    for (const service of services) {
      this.endpoints[service] = pin(
        this,
        new VpcEndpoint(this, `endpoint-${service}`, {
          vpcId: this.vpc.id,
          serviceName: serviceName(service),
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds: [...this.privateSubnetIds],
          securityGroupIds: [group.securityGroupId],
          tags: { Name: `${this.namePrefix}-${service}` },
        }),
        `endpoint_${service}`,
      );
    }
  }

  private flowLogs(options: FlowLogOptions, key: EncryptionKey): void {
    const context = AccountContext.of(this);
    const group = new LogGroup(this, childId(this, "flow-logs"), {
      logGroupName: `/vpc/${this.namePrefix}/flow-logs`,
      retentionDays: options.retentionDays,
      encryptionKey: key,
    });
    const role = new Role(this, childId(this, "flow-logs-role"), {
      roleName: `${this.namePrefix}-vpc-flow-logs`,
      description: `Lets VPC Flow Logs write ${this.namePrefix}'s flow records`,
      assumedBy: { type: "Service", identifiers: ["vpc-flow-logs.amazonaws.com"] },
      assumeConditions: [
        { test: "StringEquals", variable: "aws:SourceAccount", values: [context.accountId] },
        { test: "ArnLike", variable: "aws:SourceArn", values: [context.arn("ec2", "vpc-flow-log/*")] },
      ],
    });
    group.grantWrite(role);
    pin(
      this,
      new FlowLog(this, "flow-log", {
        vpcId: this.vpc.id,
        trafficType: options.trafficType ?? "ALL",
        logDestinationType: "cloud-watch-logs",
        logDestination: group.logGroupArn,
        iamRoleArn: role.roleArn,
        maxAggregationInterval: 60,
        tags: { Name: `${this.namePrefix}-flow-log` },
      }),
      "flow_log",
    );
  }
}
