import { Fn, ITerraformDependable, TerraformRemoteState } from "cdktf";
import { Construct } from "constructs";
import { childId } from "../lib/address";
import { INetwork, SubnetTier } from "./network";
import { SecurityGroup } from "./security-group";

export interface ImportedNetworkProps {
  /** Remote state of the stack that owns the VPC, with the outputs of {@link NETWORK_OUTPUTS}. */
  readonly state: TerraformRemoteState;
  /** Prefix of the names of security groups added here. */
  readonly namePrefix: string;
}

/** Outputs a stack publishes so that others can run in its VPC. */
export const NETWORK_OUTPUTS = {
  vpcId: "vpc_id",
  vpcCidr: "vpc_cidr",
  public: "public_subnet_ids",
  private: "private_subnet_ids",
  data: "data_subnet_ids",
} as const;

/**
 * A VPC owned by another stack (the shared load balancer stack), read from its remote state. Its VPC
 * endpoints belong to the owning stack too (`sharedLoadBalancer.network.endpoints`); their private
 * DNS names resolve VPC-wide, so the fleets of importing stacks use them without creating any.
 */
export class ImportedNetwork extends Construct implements INetwork {
  public readonly vpcId: string;
  public readonly vpcCidr: string;
  private readonly state: TerraformRemoteState;
  private readonly namePrefix: string;

  constructor(scope: Construct, id: string, props: ImportedNetworkProps) {
    super(scope, id);
    this.state = props.state;
    this.namePrefix = props.namePrefix;
    this.vpcId = props.state.getString(NETWORK_OUTPUTS.vpcId);
    this.vpcCidr = props.state.getString(NETWORK_OUTPUTS.vpcCidr);
  }

  public subnetIds(tier: SubnetTier): string[] {
    return this.state.getList(NETWORK_OUTPUTS[tier]);
  }

  public subnetId(tier: SubnetTier, index: number): string {
    return Fn.element(this.subnetIds(tier), index);
  }

  /** The owning stack has applied its routes already. */
  public egressDependencies(): ITerraformDependable[] {
    return [];
  }

  public addSecurityGroup(role: string, description: string): SecurityGroup {
    return new SecurityGroup(this, childId(this, role), { vpcId: this.vpcId, groupName: `${this.namePrefix}-${role}`, description });
  }
}
