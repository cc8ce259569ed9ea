import { LaunchTemplate as AwsLaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { pin } from "../lib/address";
import { AMI_ID_PATTERN } from "../lib/ec2";
import type { PolicyStatement } from "../lib/iam";
import type { AccountContext } from "./account-context";
import { suppress } from "../policy";
import { EncryptionKey } from "./encryption-key";

/**
 * The statement a role needs to create or update an Auto Scaling group that launches from one
 * launch template (CreateAutoScalingGroup and UpdateAutoScalingGroup check that the caller may
 * launch from it): `ec2:RunInstances` on the region's EC2 resources and the public images,
 * limited to that template by `ec2:LaunchTemplate`, which covers every resource RunInstances
 * touches. Used by CodeDeploy (copying the fleet) and the fleet reconciler (updating copies).
 */
export function launchFromTemplateStatement(context: Pick<AccountContext, "arn">, launchTemplateId: string): PolicyStatement {
  const arn = context.arn.bind(context);
  return {
    sid: "LaunchFromFleetTemplate",
    actions: ["ec2:RunInstances"],
    resources: [arn("ec2", "*"), arn("ec2", "image/*", { account: "" })],
    conditions: [{ test: "ArnLike", variable: "ec2:LaunchTemplate", values: [arn("ec2", `launch-template/${launchTemplateId}`)] }],
  };
}

export interface InstanceRootVolume {
  /** @default 30 */
  readonly sizeGb?: number;
  /** @default "gp3" */
  readonly type?: "gp3" | "gp2" | "io2";
  /**
   * Device name of the AMI's root volume.
   * @default "/dev/xvda" (Amazon Linux 2023)
   */
  readonly deviceName?: string;
}

export interface LaunchTemplateProps {
  /** Template name. */
  readonly templateName: string;
  /**
   * AMI: an ID (`ami-...`), a reference, or `resolve:ssm:<parameter>` (a parameter of data type
   * `aws:ec2:image`, resolved by EC2 each time an instance launches: a new value reaches the next
   * launch without a new template version).
   */
  readonly imageId: string;
  readonly instanceType: string;
  readonly instanceProfileArn: string;
  readonly securityGroupIds: readonly string[];
  /** Encrypts the root volume. */
  readonly encryptionKey: EncryptionKey;
  /** Plain-text user data (base64-encoded here, so Terraform never interpolates it). */
  readonly userData: string;
  /**
   * Give instances a public IP (only for instances in public subnets, which have no NAT).
   * @default false
   */
  readonly associatePublicIp?: boolean;
  /**
   * IMDSv2 response hop limit: 2 lets containers reach the instance metadata service through the
   * Docker bridge; 1 keeps it on the host.
   * @default 1
   */
  readonly metadataHopLimit?: 1 | 2;
  /** @default {} (30 GiB gp3 on /dev/xvda) */
  readonly rootVolume?: InstanceRootVolume;
  /**
   * One-minute EC2 metrics.
   * @default false
   */
  readonly detailedMonitoring?: boolean;
  /**
   * EC2 key pair for SSH.
   * @default none (use Session Manager)
   */
  readonly keyName?: string;
  /**
   * Tags on the instances and their volumes (provider default tags do not reach them).
   * @default {}
   */
  readonly instanceTags?: Readonly<Record<string, string>>;
  /**
   * Launch instances enabled for hibernation (`hibernation_options`), which a Hibernated warm pool
   * needs: hibernation can only be enabled at launch, and the instance type, the AMI and an encrypted
   * root volume large enough for the memory must meet EC2's prerequisites
   * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/hibernating-prerequisites.html).
   * @default false
   */
  readonly hibernation?: boolean;
}

/**
 * An EC2 launch template as a fleet needs it: IMDSv2 required, an encrypted root volume,
 * the instance profile, no public IP unless asked, tags on instances and volumes, and
 * create-before-destroy so a replacement never leaves an Auto Scaling group without a template.
 */
export class LaunchTemplate extends Construct {
  public readonly launchTemplateId: string;
  public readonly latestVersion: number;

  constructor(scope: Construct, id: string, props: LaunchTemplateProps) {
    super(scope, id);
    const imageProblem = launchTemplateImageProblem(props.imageId);
    if (imageProblem) throw new Error(`${this.node.path}: imageId ${JSON.stringify(props.imageId)} ${imageProblem}`);
    if (Token.isUnresolved(props.userData)) {
      throw new Error(`${this.node.path}: user data contains a Terraform reference; it is base64-encoded at synth time, so every value in it must be literal text`);
    }
    const root = props.rootVolume ?? {};
    const tags = props.instanceTags ?? {};
    const template = pin(
      this,
      new AwsLaunchTemplate(this, "launch-template", {
        name: props.templateName,
        description: `Instances of ${props.templateName}`,
        imageId: props.imageId,
        instanceType: props.instanceType,
        iamInstanceProfile: { arn: props.instanceProfileArn },
        keyName: props.keyName,
        updateDefaultVersion: true,
        userData: Buffer.from(props.userData, "utf8").toString("base64"),
        metadataOptions: {
          httpEndpoint: "enabled",
          httpTokens: "required",
          httpPutResponseHopLimit: props.metadataHopLimit ?? 1,
          instanceMetadataTags: "enabled",
        },
        monitoring: { enabled: props.detailedMonitoring ?? false },
        hibernationOptions: props.hibernation ? { configured: true } : undefined,
        networkInterfaces: [
          {
            deviceIndex: 0,
            associatePublicIpAddress: String(props.associatePublicIp ?? false),
            securityGroups: [...props.securityGroupIds],
            deleteOnTermination: "true",
          },
        ],
        blockDeviceMappings: [
          {
            deviceName: root.deviceName ?? "/dev/xvda",
            ebs: {
              volumeSize: root.sizeGb ?? 30,
              volumeType: root.type ?? "gp3",
              encrypted: "true",
              kmsKeyId: props.encryptionKey.keyArn,
              deleteOnTermination: "true",
            },
          },
        ],
        tagSpecifications: [
          { resourceType: "instance", tags: { ...tags, Name: props.templateName } },
          { resourceType: "volume", tags: { ...tags, Name: props.templateName } },
        ],
        lifecycle: { createBeforeDestroy: true },
      }),
    );
    if (props.associatePublicIp) {
      suppress(template, "EC2.NO_PUBLIC_IP", "The configuration runs the fleet in public subnets (fleet.subnets: public), which have no NAT: a public IP is the instances' only way out");
    }
    this.launchTemplateId = template.id;
    this.latestVersion = template.latestVersion;
  }
}

/**
 * What is wrong with a launch template's literal `imageId`, or undefined when EC2 accepts it. A value
 * Terraform only knows at apply time (a golden AMI's ID) is not checked. `ssm:<parameter>` (Image
 * Builder's parent image form) and a bare parameter name are mistakes EC2 reports only when the
 * template is created: `resolve:ssm:` is the prefix launch templates take.
 */
export function launchTemplateImageProblem(imageId: string): string | undefined {
  if (Token.isUnresolved(imageId) && !imageId.startsWith("resolve:ssm:")) return undefined;
  if (AMI_ID_PATTERN.test(imageId)) return undefined;
  const parameter = /^resolve:ssm:(.+)$/.exec(imageId)?.[1];
  if (parameter !== undefined && (Token.isUnresolved(parameter) || /^[a-zA-Z0-9_.\/-]+(:\d+)?$/.test(parameter))) return undefined;
  return "is neither an AMI ID (ami- and 8 or 17 hexadecimal digits) nor resolve:ssm:<parameter name>[:<version>]";
}
