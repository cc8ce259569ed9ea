import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { Fn, TerraformStack } from "cdktf";
import { Construct, IConstruct } from "constructs";

export interface AccountContextProps {
  /** Region the stack's provider deploys to. */
  readonly region: string;
  /**
   * Account the stack deploys to, when the configuration pins it.
   * @default read once per stack from `data.aws_caller_identity.current`
   */
  readonly accountId?: string;
  /**
   * Availability zones to use.
   * @default read once per stack from `data.aws_availability_zones.available` (opted-in zones)
   */
  readonly availabilityZones?: readonly string[];
}

const ID = "account-context";

/**
 * Where a stack deploys: region, partition, account and zones. Created once per stack; every
 * construct reads it with {@link AccountContext.of} instead of creating its own lookups
 * (DESIGN.md "No hidden lookups").
 */
export class AccountContext extends Construct {
  public static of(scope: IConstruct): AccountContext {
    const stack = TerraformStack.of(scope);
    const found = stack.node.tryFindChild(ID);
    if (!(found instanceof AccountContext)) {
      throw new Error(`${scope.node.path}: the stack has no AccountContext; create one with new AccountContext(stack, ...) before other constructs`);
    }
    return found;
  }

  public readonly region: string;
  /** `aws`, `aws-cn` or `aws-us-gov`, derived from the region at synth time. */
  public readonly partition: string;
  /** Suffix of service URLs and principals: `amazonaws.com` or `amazonaws.com.cn`. */
  public readonly urlSuffix: string;
  public readonly accountId: string;
  private readonly zones?: readonly string[];
  private zonesLookup?: DataAwsAvailabilityZones;

  constructor(scope: TerraformStack, props: AccountContextProps) {
    super(scope, ID);
    this.region = props.region;
    this.partition = props.region.startsWith("cn-") ? "aws-cn" : props.region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
    this.urlSuffix = this.partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
    this.zones = props.availabilityZones;
    if (props.accountId) {
      this.accountId = props.accountId;
    } else {
      const identity = new DataAwsCallerIdentity(scope, "caller-identity");
      identity.overrideLogicalId("current");
      this.accountId = identity.accountId;
    }
  }

  /** The first `count` zones: configured names, or references into the one zones data source. */
  public availabilityZones(count: number): string[] {
    if (this.zones) return this.zones.slice(0, count);
    if (!this.zonesLookup) {
      this.zonesLookup = new DataAwsAvailabilityZones(TerraformStack.of(this), "availability-zones", {
        state: "available",
        filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
      });
      this.zonesLookup.overrideLogicalId("available");
    }
    const names = this.zonesLookup.names;
    return Array.from({ length: count }, (_, i) => Fn.element(names, i));
  }

  /** `arn:<partition>:<service>:<region>:<account>:<resource>`; pass "" to omit region or account. */
  public arn(service: string, resource: string, options: { region?: string; account?: string } = {}): string {
    return `arn:${this.partition}:${service}:${options.region ?? this.region}:${options.account ?? this.accountId}:${resource}`;
  }

  /** ARN of an AWS managed IAM policy, e.g. `service-role/AmazonEC2RoleforSSM`. */
  public managedPolicyArn(name: string): string {
    return `arn:${this.partition}:iam::aws:policy/${name}`;
  }

  /** Service principal, e.g. `ec2` → `ec2.amazonaws.com`. */
  public servicePrincipal(service: string): string {
    return `${service}.amazonaws.com`;
  }
}
