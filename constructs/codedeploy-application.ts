import { CodedeployApp } from "@cdktf/provider-aws/lib/codedeploy-app";
import { Construct } from "constructs";
import { pin } from "../lib/address";
import { AccountContext } from "./account-context";

export interface CodeDeployApplicationProps {
  /** Application name (unique in the account and region). */
  readonly applicationName: string;
}

/** A CodeDeploy application for EC2/on-premises deployments (compute platform `Server`). */
export class CodeDeployApplication extends Construct {
  public readonly applicationName: string;
  public readonly applicationArn: string;

  constructor(scope: Construct, id: string, props: CodeDeployApplicationProps) {
    super(scope, id);
    const app = pin(this, new CodedeployApp(this, "application", { name: props.applicationName, computePlatform: "Server" }), "application");
    this.applicationName = app.name;
    this.applicationArn = app.arn;
  }

  /** ARN of one of this application's deployment groups, for IAM. */
  public deploymentGroupArn(groupName: string): string {
    return AccountContext.of(this).arn("codedeploy", `deploymentgroup:${this.applicationName}/${groupName}`);
  }
}
