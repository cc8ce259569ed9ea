import { Instance } from "@cdktf/provider-aws/lib/instance";
import { KeyPair } from "@cdktf/provider-aws/lib/key-pair";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";
import { childId, pin } from "../lib/address";
import { instanceArchitecture } from "../lib/ec2";
import { suppress } from "../policy";
import { AccountContext } from "./account-context";
import { EncryptionKey } from "./encryption-key";
import { instanceImageId } from "./instance-image";
import { INetwork } from "./network";
import { Role } from "./role";
import { SecurityGroup } from "./security-group";

export interface BastionHostProps {
  /** `<app>-<environment>`; names the instance, group, role and key pair (`<prefix>-bastion`). */
  readonly namePrefix: string;
  /** The VPC; the bastion takes the first public subnet (with SSH) or the first private subnet (Session Manager only). */
  readonly network: INetwork;
  /** Encrypts the root volume. */
  readonly encryptionKey: EncryptionKey;
  /**
   * Who may reach the bastion on SSH (22). `/0` is refused.
   * @default [] (no ingress rule at all)
   */
  readonly sshIngressCidrs?: readonly string[];
  /**
   * Session Manager access (AmazonSSMManagedInstanceCore on the role).
   * @default true
   */
  readonly ssm?: boolean;
  /** @default "t4g.nano" */
  readonly instanceType?: string;
  /**
   * OpenSSH public key; creates an EC2 key pair for the instance.
   * @default no key pair (EC2 Instance Connect or Session Manager)
   */
  readonly publicKey?: string;
  /** @default 8 */
  readonly rootVolumeSizeGiB?: number;
  /**
   * Tags on the root volume (the provider's default tags do not reach `volume_tags`).
   * @default {}
   */
  readonly volumeTags?: Readonly<Record<string, string>>;
}

/**
 * A bastion host: one Amazon Linux 2023 instance with a security group of its own that admits SSH
 * only from the given CIDRs (no ingress at all when Session Manager is the only way in), IMDSv2,
 * an encrypted root volume and an instance role with Session Manager. With SSH it sits in a public
 * subnet with a public address; with Session Manager only it sits in a private subnet when the
 * network has one (nothing about it is reachable from the internet). {@link allowTo} opens a path
 * to another security group (database, fleet).
 */
export class BastionHost extends Construct {
  public readonly securityGroup: SecurityGroup;
  public readonly role: Role;
  public readonly instanceId: string;
  /** Public IP (empty for a bastion in a private subnet). */
  public readonly publicIp: string;
  /** Whether the bastion is in a public subnet with a public address. */
  public readonly isPublic: boolean;

  constructor(scope: Construct, id: string, props: BastionHostProps) {
    super(scope, id);
    const cidrs = props.sshIngressCidrs ?? [];
    const ssm = props.ssm ?? true;
    if (cidrs.length === 0 && !ssm) {
      throw new Error(`${this.node.path}: sshIngressCidrs is empty and ssm is false; allowed: at least one CIDR, or ssm: true (otherwise nothing can reach the bastion)`);
    }
    const world = cidrs.filter((c) => /\/0$/.test(c));
    if (world.length > 0) throw new Error(`${this.node.path}: sshIngressCidrs has ${world.join(", ")}; allowed: specific CIDRs only (SSH from the whole internet is refused)`);

    const context = AccountContext.of(this);
    const name = `${props.namePrefix}-bastion`;
    const instanceType = props.instanceType ?? "t4g.nano";
    const privateSubnets = props.network.subnetIds("private");
    this.isPublic = cidrs.length > 0 || privateSubnets.length === 0;
    const tier = this.isPublic ? "public" : "private";

    this.securityGroup = props.network.addSecurityGroup("bastion", `Bastion of ${props.namePrefix}: ${cidrs.length > 0 ? "SSH from the allowed CIDRs" : "no ingress (Session Manager)"}`);
    for (const cidr of cidrs) this.securityGroup.allowIngress("ssh", { cidr }, { from: 22 }, `SSH from ${cidr}`);
    // Session Manager, EC2 Instance Connect and the package repositories are all HTTPS.
    this.securityGroup.allowEgress("https", { cidr: "0.0.0.0/0" }, { from: 443 }, "HTTPS to AWS APIs (Session Manager) and package repositories");

    this.role = new Role(this, childId(this, "role"), {
      roleName: name,
      description: `Bastion host of ${props.namePrefix}`,
      assumedBy: { type: "Service", identifiers: [context.servicePrincipal("ec2")] },
      managedPolicies: ssm ? ["AmazonSSMManagedInstanceCore"] : [],
      instanceProfile: true,
    });

    const keyPair = props.publicKey ? pin(this, new KeyPair(this, "key-pair", { keyName: name, publicKey: props.publicKey })) : undefined;
    const instance = pin(
      this,
      new Instance(this, "instance", {
        // The newest AL2023 image when the bastion is created (read from AWS's public parameter: the
        // provider cannot create an instance with a root block device from a `resolve:ssm:` alias);
        // the argument is ignored afterwards, so a new image never replaces the bastion by surprise
        // (patch it, or replace it on purpose).
        ami: instanceImageId(this, `resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${instanceArchitecture(instanceType)}`),
        instanceType,
        subnetId: props.network.subnetId(tier, 0),
        vpcSecurityGroupIds: [this.securityGroup.securityGroupId],
        associatePublicIpAddress: this.isPublic,
        iamInstanceProfile: this.role.instanceProfileName,
        keyName: keyPair?.keyName,
        monitoring: false,
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "enabled" },
        rootBlockDevice: {
          volumeType: "gp3",
          volumeSize: props.rootVolumeSizeGiB ?? 8,
          encrypted: true,
          kmsKeyId: props.encryptionKey.keyArn,
          deleteOnTermination: true,
        },
        volumeTags: { ...props.volumeTags, Name: name },
        tags: { Name: name },
        lifecycle: { ignoreChanges: ["ami"] },
        dependsOn: props.network.egressDependencies(tier, 0),
      }),
    );
    if (this.isPublic) {
      suppress(
        instance,
        "EC2.NO_PUBLIC_IP",
        cidrs.length > 0
          ? "A bastion reached over SSH from bastion.sshIngressCidrs needs a public address; its group admits only those CIDRs"
          : "The network has no private subnets, so the bastion needs a public address to reach Session Manager; its group admits nothing",
      );
    }
    this.instanceId = instance.id;
    this.publicIp = instance.publicIp;
  }

  /**
   * Lets the bastion reach `target` on `port`: an egress rule on the bastion's group and an
   * ingress rule on the target's, each naming the other group. Returns the ingress rule.
   */
  public allowTo(name: string, target: SecurityGroup, port: number, description: string): VpcSecurityGroupIngressRule {
    this.securityGroup.allowEgress(name, { securityGroup: target }, { from: port }, `${description} (to ${target.node.id})`);
    return target.allowIngress(name, { securityGroup: this.securityGroup }, { from: port }, `${description} (from the bastion)`);
  }
}
