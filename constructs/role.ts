import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { childId, pin, snake } from "../lib/address";
import { PolicyCondition, PolicyPrincipal, PolicyStatement } from "../lib/iam";
import { AccountContext } from "./account-context";
import { PolicyDocument } from "./policy-document";

export interface RoleProps {
  /** Role name (unique in the account). */
  readonly roleName: string;
  readonly description: string;
  /** Who may assume the role, e.g. `{ type: "Service", identifiers: ["ec2.amazonaws.com"] }`. */
  readonly assumedBy: PolicyPrincipal;
  /**
   * Conditions on the trust policy (for example `aws:SourceAccount` against confused deputies).
   * @default none
   */
  readonly assumeConditions?: readonly PolicyCondition[];
  /**
   * AWS managed policies to attach, by name after `arn:<partition>:iam::aws:policy/`.
   * @default none
   */
  readonly managedPolicies?: readonly string[];
  /**
   * Also create an instance profile for EC2.
   * @default false
   */
  readonly instanceProfile?: boolean;
  /**
   * Trust policy action.
   * @default "sts:AssumeRole"
   */
  readonly assumeAction?: string;
}

/**
 * An IAM role with a trust policy, optional managed policies and one inline policy that grows as
 * other constructs grant it access (`bucket.grantRead(role)`), in aws-cdk's grant style.
 */
export class Role extends Construct {
  public readonly roleName: string;
  public readonly roleArn: string;
  /** Set when `instanceProfile` is true. */
  public readonly instanceProfileName?: string;
  public readonly instanceProfileArn?: string;
  public readonly trustPolicy: PolicyDocument;
  private policy?: PolicyDocument;
  private policyResource?: IamRolePolicy;

  constructor(scope: Construct, id: string, props: RoleProps) {
    super(scope, id);
    const context = AccountContext.of(this);
    this.trustPolicy = new PolicyDocument(this, childId(this, "trust"), {
      statements: [
        {
          actions: [props.assumeAction ?? "sts:AssumeRole"],
          principals: [props.assumedBy],
          conditions: props.assumeConditions,
        },
      ],
    });
    const role = pin(
      this,
      new IamRole(this, "role", {
        name: props.roleName,
        description: props.description,
        assumeRolePolicy: this.trustPolicy.json,
      }),
    );
    this.roleName = role.name;
    this.roleArn = role.arn;

    for (const policy of props.managedPolicies ?? []) {
      pin(
        this,
        new IamRolePolicyAttachment(this, `managed-${policy}`, { role: role.name, policyArn: context.managedPolicyArn(policy) }),
        snake(policy.split("/").pop()!),
      );
    }

    if (props.instanceProfile) {
      const profile = pin(this, new IamInstanceProfile(this, "instance-profile", { name: props.roleName, role: role.name }));
      this.instanceProfileName = profile.name;
      this.instanceProfileArn = profile.arn;
    }
  }

  /** Adds statements to the role's inline policy (created on first use). */
  public addToPolicy(...statements: PolicyStatement[]): void {
    if (!this.policy) {
      this.policy = new PolicyDocument(this, childId(this, "policy"));
      this.policyResource = pin(this, new IamRolePolicy(this, "inline-policy", { name: "least-privilege", role: this.roleName, policy: this.policy.json }));
    }
    this.policy.addStatements(...statements);
  }

  /** Lets `grantee` pass this role to the given service (and to no other). */
  public grantPassRole(grantee: Role, service: string): void {
    grantee.addToPolicy({
      sid: `PassRole${snake(this.node.id).replace(/_/g, "")}`,
      actions: ["iam:PassRole"],
      resources: [this.roleArn],
      conditions: [{ test: "StringEquals", variable: "iam:PassedToService", values: [service] }],
    });
  }

  /** The inline policy, once a statement was added: what must exist while the role acts. */
  public get inlinePolicy(): IamRolePolicy | undefined {
    return this.policyResource;
  }

  /** Statements of the inline policy so far. */
  public get policyStatements(): readonly PolicyStatement[] {
    return this.policy?.statementList ?? [];
  }
}
