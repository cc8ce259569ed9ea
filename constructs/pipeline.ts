import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { Codepipeline, CodepipelineStage } from "@cdktf/provider-aws/lib/codepipeline";
import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { childId, pin } from "../lib/address";
import { AccountContext } from "./account-context";
import { Bucket } from "./bucket";
import { BuildProject } from "./build-project";
import { EncryptionKey } from "./encryption-key";
import { NotificationTopic } from "./notification-topic";
import { Role } from "./role";

/**
 * Where a pipeline deploys: a CodeDeploy deployment group, an ECS service, ... Whatever implements
 * it supplies the deploy action and grants the pipeline's role what the action needs.
 */
export interface IPipelineDeployTarget {
  /**
   * Provider of the CodePipeline action of the Deploy stage (owner AWS). `CodeBuild` runs a
   * project that deploys (category Build: CodePipeline has no Deploy category for CodeBuild).
   */
  readonly actionProvider: "CodeDeploy" | "ECS" | "CodeDeployToECS" | "CodeBuild";
  /** The action's configuration (e.g. `ApplicationName`, `DeploymentGroupName`). */
  readonly configuration: Record<string, string>;
  /**
   * Region of the target.
   * @default the pipeline's region
   */
  readonly region?: string;
  /** Grants the pipeline's role what the deploy action calls. */
  grantDeploy(role: Role): void;
  /**
   * A CodeBuild step before the deploy action, in the Deploy stage: it gets the build's output
   * artifact and writes `outputArtifact`, the deploy action's input (e.g. taskdef.json and
   * appspec.yaml for CodeDeployToECS).
   * @default none: the deploy action gets the build's output artifact
   */
  readonly prepare?: { readonly project: BuildProject; readonly outputArtifact: string };
}

/**
 * A CodeBuild project as the deploy step, for releases no CodePipeline deploy action does as
 * required (an ECS service whose next revision must come from Terraform's, see EcsService). The
 * project gets the build's output artifact as its input.
 */
export class BuildProjectDeployTarget implements IPipelineDeployTarget {
  public readonly actionProvider = "CodeBuild" as const;
  public readonly configuration: Record<string, string>;

  constructor(private readonly project: BuildProject) {
    this.configuration = { ProjectName: project.projectName };
  }

  public grantDeploy(role: Role): void {
    this.project.grantStartBuild(role);
  }
}

/** A repository behind an AWS CodeConnections (CodeStar) connection: GitHub, Bitbucket, GitLab... */
export interface ConnectionSource {
  readonly kind: "connection";
  readonly connectionArn: string;
  /** `owner/name`. */
  readonly repository: string;
  readonly branch: string;
}

export interface CodeCommitSource {
  readonly kind: "codecommit";
  readonly repository: string;
  readonly branch: string;
}

/** A zip object in the pipeline's artifact bucket (versioned); a new version starts the pipeline. */
export interface S3ObjectSource {
  readonly kind: "s3";
  readonly objectKey: string;
}

export type PipelineSource = ConnectionSource | CodeCommitSource | S3ObjectSource;

export interface PipelineProps {
  /** Pipeline name; also names its role (`<name>-pipeline`). */
  readonly pipelineName: string;
  /** Artifact store (and, for an S3 source, where the source object lives). */
  readonly artifactBucket: Bucket;
  /** Encrypts the artifacts. */
  readonly encryptionKey: EncryptionKey;
  readonly source: PipelineSource;
  /** Builds the source; its output artifact is what the deploy target receives. */
  readonly build: BuildProject;
  readonly deployTarget: IPipelineDeployTarget;
  /**
   * Wait for a manual approval before deploying; the request is published to this topic.
   * @default no approval
   */
  readonly approvalTopic?: NotificationTopic;
}

const SOURCE_ACTION = "Source";

/**
 * A CodePipeline (V2) per environment: source → build → optional manual approval → deploy.
 * Git repositories behind a connection start it through the V2 push trigger on the branch;
 * CodeCommit and S3 sources through an EventBridge rule (no polling). Artifacts are encrypted with
 * the environment key in the environment bucket, and the role holds exactly what the actions use.
 */
export class Pipeline extends Construct {
  public readonly pipelineName: string;
  public readonly pipelineArn: string;
  public readonly role: Role;

  constructor(scope: Construct, id: string, props: PipelineProps) {
    super(scope, id);
    const context = AccountContext.of(this);
    const source = props.source;
    this.role = new Role(this, childId(this, "role"), {
      roleName: `${props.pipelineName}-pipeline`,
      description: `CodePipeline ${props.pipelineName}`,
      assumedBy: { type: "Service", identifiers: [context.servicePrincipal("codepipeline")] },
      assumeConditions: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [context.accountId] }],
    });
    props.artifactBucket.grantReadWrite(this.role);
    props.encryptionKey.grantEncryptDecrypt(this.role);
    props.build.grantStartBuild(this.role);
    props.deployTarget.grantDeploy(this.role);
    props.deployTarget.prepare?.project.grantStartBuild(this.role);
    props.approvalTopic?.grantPublish(this.role);

    const stages: CodepipelineStage[] = [
      { name: "Source", action: [{ name: SOURCE_ACTION, category: "Source", owner: "AWS", version: "1", outputArtifacts: ["source"], ...this.sourceAction(props, context) }] },
      {
        name: "Build",
        action: [{ name: "Build", category: "Build", owner: "AWS", provider: "CodeBuild", version: "1", inputArtifacts: ["source"], outputArtifacts: ["build"], configuration: { ProjectName: props.build.projectName } }],
      },
    ];
    if (props.approvalTopic) {
      stages.push({
        name: "Approve",
        action: [
          {
            name: "Approve",
            category: "Approval",
            owner: "AWS",
            provider: "Manual",
            version: "1",
            configuration: { NotificationArn: props.approvalTopic.topicArn, CustomData: `Approve the release of ${props.pipelineName} (the build passed)` },
          },
        ],
      });
    }
    const target = props.deployTarget;
    const prepare = target.prepare;
    stages.push({
      name: "Deploy",
      action: [
        ...(prepare
          ? [
              {
                name: "Prepare",
                category: "Build",
                owner: "AWS",
                provider: "CodeBuild",
                version: "1",
                runOrder: 1,
                inputArtifacts: ["build"],
                outputArtifacts: [prepare.outputArtifact],
                configuration: { ProjectName: prepare.project.projectName },
              },
            ]
          : []),
        {
          name: "Deploy",
          category: target.actionProvider === "CodeBuild" ? "Build" : "Deploy",
          owner: "AWS",
          provider: target.actionProvider,
          version: "1",
          runOrder: prepare ? 2 : undefined,
          inputArtifacts: [prepare ? prepare.outputArtifact : "build"],
          configuration: { ...target.configuration },
          region: target.region,
        },
      ],
    });

    const pipeline = pin(
      this,
      new Codepipeline(this, "pipeline", {
        name: props.pipelineName,
        pipelineType: "V2",
        // A newer run replaces one waiting at a stage boundary: the latest commit is what ships.
        executionMode: "SUPERSEDED",
        roleArn: this.role.roleArn,
        artifactStore: [{ location: props.artifactBucket.bucketName, type: "S3", encryptionKey: { id: props.encryptionKey.keyArn, type: "KMS" } }],
        stage: stages,
        trigger:
          source.kind === "connection"
            ? [{ providerType: "CodeStarSourceConnection", gitConfiguration: { sourceActionName: SOURCE_ACTION, push: [{ branches: { includes: [source.branch] } }] } }]
            : undefined,
      }),
    );
    this.pipelineName = pipeline.name;
    this.pipelineArn = pipeline.arn;
    if (source.kind !== "connection") this.startOnChange(props, context);
  }

  private sourceAction(props: PipelineProps, context: AccountContext): { provider: string; configuration: Record<string, string> } {
    const source = props.source;
    switch (source.kind) {
      case "connection":
        this.role.addToPolicy({ actions: ["codestar-connections:UseConnection", "codeconnections:UseConnection"], resources: [source.connectionArn] });
        return {
          provider: "CodeStarSourceConnection",
          configuration: {
            ConnectionArn: source.connectionArn,
            FullRepositoryId: source.repository,
            BranchName: source.branch,
            OutputArtifactFormat: "CODE_ZIP",
            // The V2 trigger starts the pipeline; change detection on the action would start it twice.
            DetectChanges: "false",
          },
        };
      case "codecommit":
        this.role.addToPolicy({
          actions: ["codecommit:GetBranch", "codecommit:GetCommit", "codecommit:UploadArchive", "codecommit:GetUploadArchiveStatus", "codecommit:CancelUploadArchive"],
          resources: [context.arn("codecommit", source.repository)],
        });
        return {
          provider: "CodeCommit",
          configuration: { RepositoryName: source.repository, BranchName: source.branch, OutputArtifactFormat: "CODE_ZIP", PollForSourceChanges: "false" },
        };
      case "s3":
        // The S3 source action checks that the bucket is versioned.
        this.role.addToPolicy({ actions: ["s3:GetBucketVersioning"], resources: [props.artifactBucket.bucketArn] });
        return { provider: "S3", configuration: { S3Bucket: props.artifactBucket.bucketName, S3ObjectKey: source.objectKey, PollForSourceChanges: "false" } };
    }
  }

  /** CodeCommit and S3 sources: an EventBridge rule starts the pipeline (polling is the legacy way). */
  private startOnChange(props: PipelineProps, context: AccountContext): void {
    const source = props.source;
    let pattern: Record<string, unknown>;
    if (source.kind === "codecommit") {
      pattern = {
        source: ["aws.codecommit"],
        "detail-type": ["CodeCommit Repository State Change"],
        resources: [context.arn("codecommit", source.repository)],
        detail: { event: ["referenceCreated", "referenceUpdated"], referenceType: ["branch"], referenceName: [source.branch] },
      };
    } else if (source.kind === "s3") {
      props.artifactBucket.enableEventBridge();
      pattern = {
        source: ["aws.s3"],
        "detail-type": ["Object Created"],
        detail: { bucket: { name: [props.artifactBucket.bucketName] }, object: { key: [source.objectKey] } },
      };
    } else {
      return;
    }
    const role = new Role(this, childId(this, "events-role"), {
      roleName: `${props.pipelineName}-pipeline-events`,
      description: `EventBridge starts CodePipeline ${props.pipelineName}`,
      assumedBy: { type: "Service", identifiers: [context.servicePrincipal("events")] },
      assumeConditions: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [context.accountId] }],
    });
    role.addToPolicy({ actions: ["codepipeline:StartPipelineExecution"], resources: [this.pipelineArn] });
    const rule = pin(
      this,
      new CloudwatchEventRule(this, "source-change", {
        name: `${props.pipelineName}-source-change`,
        description: `Starts ${props.pipelineName} when its source changes`,
        // jsonencode rather than JSON.stringify: the pattern holds references (the bucket name),
        // which cdktf cannot place inside a literal JSON string in HCL output.
        eventPattern: Token.asString(Fn.jsonencode(pattern)),
      }),
      "source_change",
    );
    pin(this, new CloudwatchEventTarget(this, "source-change-target", { rule: rule.name, arn: this.pipelineArn, roleArn: role.roleArn }), "source_change");
  }
}
