import * as path from "path";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaInvocation } from "@cdktf/provider-aws/lib/lambda-invocation";
import { AssetType, Fn, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { childId, pin } from "../lib/address";
import { lambdaPackage } from "../lib/lambda-package";
import { PROJECT_ROOT } from "../lib/release/templates";
import { AccountContext } from "./account-context";
import { EncryptionKey } from "./encryption-key";
import { LogGroup } from "./log-group";
import { Role } from "./role";

/** The function's source, packed into a deterministic zip at synth. */
export const TASK_DEFINITION_CLEANER_SOURCE = path.join(PROJECT_ROOT, "templates", "ecs", "task_definition_cleaner.py");

/** One service's task definition family and the revision Terraform registered of it. */
export interface CleanedFamily {
  /** `<app>-<env>-<service>`: the family releases register revisions of. */
  readonly family: string;
  /** ARN of the revision Terraform registered (aws_ecs_task_definition.arn): Terraform deregisters it itself. */
  readonly terraformRevisionArn: string;
}

export interface TaskDefinitionCleanerProps {
  /** `<app>-<environment>`; names the function (`<prefix>-task-definition-cleaner`), its role and log group. */
  readonly namePrefix: string;
  /** Every service's family of the environment. */
  readonly families: readonly CleanedFamily[];
  /** Encrypts the function's log group. */
  readonly encryptionKey: EncryptionKey;
  /**
   * Days to keep the function's logs.
   * @default 30
   */
  readonly logRetentionDays?: number;
}

/**
 * Removes, on `terraform destroy`, the task definition revisions ECS releases registered outside
 * Terraform (docs/ecs.md, "ECS releases" and "terraform destroy").
 *
 * The rolling deploy step and CodePipeline's CodeDeployToECS action register the next revision of a
 * service's family on every release; Terraform owns only the revision it registered. A Python
 * Lambda function (`templates/ecs/task_definition_cleaner.py`) invoked by Terraform
 * (`aws_lambda_invocation`, lifecycle scope CRUD) deregisters every other ACTIVE revision of the
 * environment's families and deletes them on destroy (and of a family whose service left the
 * configuration on update), so no AWS CLI is needed where Terraform runs. Its input names Terraform's
 * revisions, which it leaves to Terraform: the invocation therefore depends on the task
 * definitions and is destroyed before them, and Terraform's own DeregisterTaskDefinition later finds
 * its revision as it left it.
 */
export class TaskDefinitionCleaner extends Construct {
  public readonly functionName: string;
  public readonly role: Role;

  constructor(scope: Construct, id: string, props: TaskDefinitionCleanerProps) {
    super(scope, id);
    if (props.families.length === 0) throw new Error(`${this.node.path}: a task definition cleaner needs at least one family`);
    const context = AccountContext.of(this);
    const name = `${props.namePrefix}-task-definition-cleaner`;

    const logs = new LogGroup(this, childId(this, "logs"), {
      logGroupName: `/aws/lambda/${name}`,
      retentionDays: props.logRetentionDays ?? 30,
      encryptionKey: props.encryptionKey,
    });
    this.role = new Role(this, childId(this, "role"), {
      roleName: name,
      description: `Deregisters and deletes the task definition revisions releases of ${props.namePrefix} registered, on destroy`,
      assumedBy: { type: "Service", identifiers: [context.servicePrincipal("lambda")] },
    });
    logs.grantWrite(this.role);
    this.role.addToPolicy({
      sid: "ReleasedRevisions",
      // Task definition actions have no resource-level permissions (aws/containers-roadmap#929, open:
      // "ecs:*TaskDefinition actions should be able to be scoped to a task-definition ARN"; Service
      // Authorization Reference, Amazon ECS:
      // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html),
      // so AWS authorizes them only on "*" (policy pack exception list, policy/iam.ts). Which
      // revisions it touches is the function's input: the environment's families only.
      actions: ["ecs:ListTaskDefinitions", "ecs:DeregisterTaskDefinition", "ecs:DeleteTaskDefinitions"],
      resources: ["*"],
    });

    const source = lambdaPackage("task-definition-cleaner", [TASK_DEFINITION_CLEANER_SOURCE]);
    const asset = new TerraformAsset(this, "package", { path: source.file, type: AssetType.FILE });
    const fn = pin(
      this,
      new LambdaFunction(this, "function", {
        functionName: name,
        description: `Removes the task definition revisions releases of ${props.namePrefix} registered, on destroy`,
        role: this.role.roleArn,
        runtime: "python3.12",
        handler: "task_definition_cleaner.handler",
        filename: asset.path,
        sourceCodeHash: source.sha256,
        // One DeregisterTaskDefinition a revision: hundreds of releases take minutes at ECS's rate limits.
        timeout: 900,
        memorySize: 128,
        loggingConfig: { logFormat: "Text", logGroup: logs.logGroupName },
        dependsOn: [this.role.inlinePolicy!],
      }),
      "function",
    );
    this.functionName = fn.functionName;

    // Only Terraform invokes it: a failure fails the apply or destroy that ran it, with the
    // function's error in Terraform's output (no alarm needed).
    // Terraform's invocations: create and update report (update also cleans a family that left the
    // input), delete cleans. The input refers to Terraform's revisions, so this invocation is
    // destroyed before them (and before the function, its role policy and its log group).
    pin(
      this,
      new LambdaInvocation(this, "invocation", {
        functionName: fn.functionName,
        input: Fn.jsonencode({
          families: props.families.map((f) => f.family),
          terraformRevisions: props.families.map((f) => f.terraformRevisionArn),
        }),
        lifecycleScope: "CRUD",
        dependsOn: [this.role.inlinePolicy!],
      }),
      "destroy",
    );
  }
}
