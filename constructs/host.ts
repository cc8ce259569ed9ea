import { Eip } from "@cdktf/provider-aws/lib/eip";
import { EipAssociation } from "@cdktf/provider-aws/lib/eip-association";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { KeyPair } from "@cdktf/provider-aws/lib/key-pair";
import { ITerraformDependable, Token } from "cdktf";
import { Construct } from "constructs";
import { childId, pin } from "../lib/address";
import { EncryptionKey } from "./encryption-key";
import { instanceImageId } from "./instance-image";
import { Role } from "./role";
import { SecurityGroup } from "./security-group";

export interface HostRootVolume {
  /** @default 30 */
  readonly sizeGb?: number;
  /** @default "gp3" */
  readonly type?: "gp3" | "gp2";
}

export interface HostProps {
  /** `<app>-<environment>`: names of the role, key pair and Name tags. */
  readonly namePrefix: string;
  /** AMI: an ID (`ami-...`), a reference, or `resolve:ssm:<parameter>` (read at plan time, see {@link instanceImageId}). */
  readonly imageId: string;
  readonly instanceType: string;
  /** A public subnet (its route to the internet gateway is what makes the Elastic IP reachable). */
  readonly subnetId: string;
  readonly securityGroup: SecurityGroup;
  /** Encrypts the root volume. */
  readonly encryptionKey: EncryptionKey;
  /**
   * OpenSSH public key imported as the instance's key pair.
   * @default none (Session Manager only)
   */
  readonly publicKey?: string;
  /**
   * Plain-text first-boot script (literal text: Terraform never interpolates it).
   * @default none
   */
  readonly userData?: string;
  /** @default {} (30 GiB gp3) */
  readonly rootVolume?: HostRootVolume;
  /**
   * One-minute EC2 metrics.
   * @default false
   */
  readonly detailedMonitoring?: boolean;
  /**
   * Refuse `TerminateInstances` until the flag is turned off (`disable_api_termination`).
   * @default true
   */
  readonly terminationProtection?: boolean;
  /**
   * Tags on the root volume (provider default tags do not reach volumes created with the instance).
   * @default {}
   */
  readonly volumeTags?: Readonly<Record<string, string>>;
  /**
   * Resources that must exist before the instance boots (for example the subnet's internet route).
   * @default none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * One long-lived EC2 instance reached at an Elastic IP: an instance role with Session Manager,
 * IMDSv2 required, an encrypted root volume, no public address at launch (the Elastic IP is
 * associated afterwards, so the address survives a replacement), and an optional imported key pair.
 * Terraform ignores later changes of the AMI and the user data: a new golden image or Amazon Linux
 * release never replaces or restarts the host by surprise; `terraform apply -replace` does it on purpose.
 */
export class Host extends Construct {
  public readonly role: Role;
  public readonly instanceId: string;
  public readonly instanceArn: string;
  public readonly privateIp: string;
  /** The Elastic IP's address. */
  public readonly publicIp: string;
  public readonly allocationId: string;
  /** Set when a public key is given. */
  public readonly keyName?: string;

  constructor(scope: Construct, id: string, props: HostProps) {
    super(scope, id);
    if (props.userData !== undefined && Token.isUnresolved(props.userData)) {
      throw new Error(`${this.node.path}: user data contains a Terraform reference; every value in it must be literal text`);
    }
    this.role = new Role(this, childId(this, "role"), {
      roleName: `${props.namePrefix}-host`,
      description: `Instance role of the ${props.namePrefix} host`,
      assumedBy: { type: "Service", identifiers: ["ec2.amazonaws.com"] },
      managedPolicies: ["AmazonSSMManagedInstanceCore"],
      instanceProfile: true,
    });

    if (props.publicKey !== undefined) {
      const key = pin(this, new KeyPair(this, "key-pair", { keyName: `${props.namePrefix}-host`, publicKey: props.publicKey.trim() }), "key_pair");
      this.keyName = key.keyName;
    }

    const root = props.rootVolume ?? {};
    const instance = pin(
      this,
      new Instance(this, "instance", {
        ami: instanceImageId(this, props.imageId),
        instanceType: props.instanceType,
        subnetId: props.subnetId,
        vpcSecurityGroupIds: [props.securityGroup.securityGroupId],
        iamInstanceProfile: this.role.instanceProfileName!,
        keyName: this.keyName,
        userDataBase64: props.userData === undefined ? undefined : Buffer.from(props.userData, "utf8").toString("base64"),
        associatePublicIpAddress: false,
        disableApiTermination: props.terminationProtection ?? true,
        monitoring: props.detailedMonitoring ?? false,
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "enabled" },
        rootBlockDevice: {
          volumeSize: root.sizeGb ?? 30,
          volumeType: root.type ?? "gp3",
          encrypted: true,
          kmsKeyId: props.encryptionKey.keyArn,
          deleteOnTermination: true,
          tags: { ...props.volumeTags, Name: `${props.namePrefix}-host` },
        },
        tags: { Name: `${props.namePrefix}-host` },
        dependsOn: props.dependsOn,
        // `resolve:ssm:` and golden AMI IDs change under the instance, and user data only runs at
        // first boot (a change would merely stop and start the host): replacing a host is an explicit act.
        // The provider reads associate_public_ip_address back as "the primary interface has a public
        // address", which the Elastic IP gives it: without ignoring it every plan would replace the host
        // ("true -> false # forces replacement", hashicorp/terraform-provider-aws#47100).
        lifecycle: { ignoreChanges: ["ami", "user_data_base64", "associate_public_ip_address"] },
      }),
      "instance",
    );
    this.instanceId = instance.id;
    this.instanceArn = instance.arn;
    this.privateIp = instance.privateIp;

    const eip = pin(this, new Eip(this, "eip", { domain: "vpc", tags: { Name: `${props.namePrefix}-host` } }), "eip");
    pin(this, new EipAssociation(this, "eip-association", { allocationId: eip.allocationId, instanceId: instance.id }), "eip_association");
    this.publicIp = eip.publicIp;
    this.allocationId = eip.allocationId;
  }
}
