import { SsmDocument } from "@cdktf/provider-aws/lib/ssm-document";
import { Construct } from "constructs";
import { pin } from "../lib/address";
import { AccountContext } from "./account-context";
import { Role } from "./role";

/** SSM parameters of the document: what the workflow passes with `--parameters`. */
export const DEPLOY_DOCUMENT_PARAMETERS = {
  /** The pushed image's digest; the host pulls exactly this. */
  imageDigest: { pattern: "^sha256:[0-9a-f]{64}$", description: "Digest of the image to run (sha256:...), as ECR reports it after the push" },
  /** The commit tag, for the log only. */
  imageTag: { pattern: "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", description: "Tag the image was pushed with (the commit SHA), for the log" },
} as const;

export interface HostDeployDocumentProps {
  /** Document name (`<app>-<env>-deploy`): fixed, so the workflow can name it. */
  readonly documentName: string;
  /**
   * The bash deploy script. The document runs it with the parameters as IMAGE_DIGEST and
   * IMAGE_TAG in its environment. Must be safe in a Terraform string (see `terraformLiteral`),
   * references excepted.
   */
  readonly script: string;
  /** Seconds the agent lets the script run before it stops it (the command then fails). */
  readonly timeoutSeconds: number;
}

/**
 * A project-owned SSM Command document that deploys to the host: the only document the
 * workflow's role may send (instead of AWS-RunShellScript, which would let it run anything as
 * root). Its two parameters are checked by SSM against `allowedPattern` before anything runs,
 * so their values cannot break out of the shell quotes they are placed in.
 *
 * The agent runs `runCommand` with `sh` (amazon-ssm-agent runshellscript.go; a `#!/bin/bash`
 * line there is not a guarantee: aws/amazon-ssm-agent#46), so the command is POSIX sh that writes
 * the bash script to a file and runs it with bash. A changed script becomes the document's default
 * version on apply (the provider promotes the new version, hashicorp/terraform#13491), which is the
 * version `send-command` runs.
 */
export class HostDeployDocument extends Construct {
  public readonly documentName: string;
  public readonly documentArn: string;
  public readonly document: SsmDocument;

  constructor(scope: Construct, id: string, props: HostDeployDocumentProps) {
    super(scope, id);
    if (/^DEPLOY$/m.test(props.script)) throw new Error(`${this.node.path}: the script contains a line "DEPLOY", which would end the here-document that carries it`);
    if (/\{\{/.test(props.script)) throw new Error(`${this.node.path}: the script contains "{{", which SSM would read as a document parameter`);
    const command = [
      "set -eu",
      'script="$(mktemp)"',
      "trap 'rm -f \"$script\"' EXIT",
      "cat >\"$script\" <<'DEPLOY'",
      ...props.script.replace(/\n$/, "").split("\n"),
      "DEPLOY",
      `IMAGE_DIGEST='{{ imageDigest }}' IMAGE_TAG='{{ imageTag }}' /bin/bash "$script"`,
    ];
    const content = {
      schemaVersion: "2.2",
      description: `Deploy an image to the ${props.documentName.replace(/-deploy$/, "")} host: pull by digest, docker compose up, health check, rollback on failure`,
      parameters: Object.fromEntries(Object.entries(DEPLOY_DOCUMENT_PARAMETERS).map(([name, p]) => [name, { type: "String", description: p.description, allowedPattern: p.pattern }])),
      mainSteps: [{ action: "aws:runShellScript", name: "deploy", precondition: { StringEquals: ["platformType", "Linux"] }, inputs: { timeoutSeconds: String(props.timeoutSeconds), runCommand: command } }],
    };
    this.document = pin(
      this,
      new SsmDocument(this, "document", {
        name: props.documentName,
        documentType: "Command",
        documentFormat: "JSON",
        targetType: "/AWS::EC2::Instance",
        content: JSON.stringify(content, null, 2),
      }),
      "document",
    );
    this.documentName = this.document.name;
    this.documentArn = AccountContext.of(this).arn("ssm", `document/${props.documentName}`);
  }

  /**
   * Send this document, and no other, to exactly `instanceArns`; read the result. Run Command
   * authorizes SendCommand on the document and on each target instance (Service Authorization
   * Reference, AWS Systems Manager); GetCommandInvocation has no resource type, so it needs "*".
   */
  public grantSend(role: Role, instanceArns: readonly string[]): void {
    role.addToPolicy(
      { sid: "SendDeployDocument", actions: ["ssm:SendCommand"], resources: [this.documentArn, ...instanceArns] },
      // No resource type for GetCommandInvocation: "*" is the only resource IAM accepts (it reveals command output only).
      { sid: "ReadDeployResult", actions: ["ssm:GetCommandInvocation"], resources: ["*"] },
    );
  }
}
