import { SsmAssociation } from "@cdktf/provider-aws/lib/ssm-association";
import { Construct } from "constructs";
import { pin } from "../lib/address";

export interface CodedeployAgentAssociationProps {
  /** `<app>-<environment>`; the association is `<prefix>-codedeploy-agent`. */
  readonly namePrefix: string;
  /** Instance tag that selects the fleet, e.g. `{ key: "app:fleet", value: "webapp-staging" }`. */
  readonly targetTag: { readonly key: string; readonly value: string };
  /**
   * When the association runs again (it also runs on every instance that starts matching).
   * @default "cron(0 3 ? * SUN *)" (weekly, Sunday 03:00 UTC)
   */
  readonly schedule?: string;
  /**
   * Share of instances updated at once.
   * @default "50%"
   */
  readonly maxConcurrency?: string;
  /**
   * Share of failures after which a run stops.
   * @default "25%"
   */
  readonly maxErrors?: string;
}

/**
 * A State Manager association that installs the CodeDeploy agent (Distributor package
 * `AWSCodeDeployAgent` through `AWS-ConfigureAWSPackage`) on every instance carrying the fleet's
 * tag, as soon as the instance registers with Systems Manager and again on a schedule, which keeps
 * the agent current without rebuilding the AMI. The instances need Session Manager's managed policy
 * (`AmazonSSMManagedInstanceCore`) and HTTPS out, as the fleet's role and group have.
 */
export class CodedeployAgentAssociation extends Construct {
  public readonly associationId: string;
  public readonly associationName: string;

  constructor(scope: Construct, id: string, props: CodedeployAgentAssociationProps) {
    super(scope, id);
    const association = pin(
      this,
      new SsmAssociation(this, "association", {
        name: "AWS-ConfigureAWSPackage",
        associationName: `${props.namePrefix}-codedeploy-agent`,
        parameters: { action: "Install", name: "AWSCodeDeployAgent", installationType: "Uninstall and reinstall" },
        targets: [{ key: `tag:${props.targetTag.key}`, values: [props.targetTag.value] }],
        scheduleExpression: props.schedule ?? "cron(0 3 ? * SUN *)",
        // Run at creation and on new instances too, not only at the next scheduled time.
        applyOnlyAtCronInterval: false,
        complianceSeverity: "HIGH",
        maxConcurrency: props.maxConcurrency ?? "50%",
        maxErrors: props.maxErrors ?? "25%",
      }),
    );
    this.associationId = association.associationId;
    this.associationName = `${props.namePrefix}-codedeploy-agent`;
  }
}
