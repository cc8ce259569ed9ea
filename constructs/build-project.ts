import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { Construct } from "constructs";
import { childId, pin } from "../lib/address";
import { terraformLiteral } from "../lib/release/templates";
import { AccountContext } from "./account-context";
import { BUILD_CACHE_PREFIX } from "./artifact-store";
import { Bucket } from "./bucket";
import { ContainerRepository } from "./container-repository";
import { EncryptionKey } from "./encryption-key";
import { LogGroup } from "./log-group";
import { Role } from "./role";

/** CodeBuild's managed Amazon Linux 2023 build images, by the architecture the build must produce. */
export const BUILD_IMAGES = {
  x86_64: { image: "aws/codebuild/amazonlinux-x86_64-standard:5.0", type: "LINUX_CONTAINER" },
  arm64: { image: "aws/codebuild/amazonlinux-aarch64-standard:3.0", type: "ARM_CONTAINER" },
} as const;

export interface BuildProjectProps {
  /** Project name (unique in the account and region); also names the role and the log group. */
  readonly projectName: string;
  /** Encrypts the build output and the build logs. */
  readonly encryptionKey: EncryptionKey;
  /** The pipeline's artifact store: the build reads its input from it and writes its output to it. */
  readonly artifactBucket: Bucket;
  /** Days build logs are kept. */
  readonly logRetentionDays: number;
  /**
   * Build and push a container image to this repository: privileged mode (Docker daemon) and a
   * push grant. Without it the project builds an application bundle and is never privileged.
   * @default no Docker build
   */
  readonly dockerRepository?: ContainerRepository;
  /**
   * Architecture of what the build produces (a Docker image must match the instances or tasks).
   * @default "x86_64"
   */
  readonly architecture?: keyof typeof BUILD_IMAGES;
  /** @default "BUILD_GENERAL1_SMALL" */
  readonly computeType?: string;
  /** @default 30 */
  readonly timeoutMinutes?: number;
  /**
   * Plain-text environment variables for the buildspec (never secrets: they are visible in the
   * project; read secrets from SSM Parameter Store in the buildspec instead).
   * @default none
   */
  readonly environmentVariables?: Readonly<Record<string, string>>;
  /** @default "Builds <projectName>" */
  readonly description?: string;
  /**
   * Inline buildspec (literal text: `${` is escaped for Terraform here).
   * @default the source's buildspec.yml
   */
  readonly buildspec?: string;
  /**
   * Keep what the buildspec lists under `cache.paths` (npm's download cache) between builds, in
   * the artifact bucket under `build-cache/<projectName>/` (CodeBuild's S3 cache), with a grant
   * on that prefix only. S3 rather than CodeBuild's local cache: a local cache lives on one build
   * host and is "not the best option if your builds are infrequent" (CodeBuild User Guide, "Local
   * caching"), which release builds are; the S3 cache is "available across multiple build hosts"
   * ("Amazon S3 caching"). Docker builds keep their dependencies in image layers, not in paths of
   * the build container, so they have nothing to cache here.
   * @default true for application bundles, false for Docker builds
   */
  readonly cache?: boolean;
}

/**
 * A CodeBuild project driven by CodePipeline (source and artifacts `CODEPIPELINE`, the
 * application repository's `buildspec.yml`), logging to a log group with retention, encrypting
 * its output with the environment key, and running under a role limited to the artifact bucket,
 * its log group, the Docker repository (when it builds images) and what is granted explicitly.
 */
export class BuildProject extends Construct {
  public readonly projectName: string;
  public readonly projectArn: string;
  public readonly role: Role;
  public readonly logGroup: LogGroup;
  /** True when the project builds container images (privileged mode). */
  public readonly docker: boolean;

  constructor(scope: Construct, id: string, props: BuildProjectProps) {
    super(scope, id);
    const context = AccountContext.of(this);
    this.docker = props.dockerRepository !== undefined;
    const platform = BUILD_IMAGES[props.architecture ?? "x86_64"];
    const timeout = props.timeoutMinutes ?? 30;
    if (timeout < 5 || timeout > 480) throw new Error(`${this.node.path}: timeoutMinutes: received ${timeout}; allowed: 5 to 480`);

    this.role = new Role(this, childId(this, "role"), {
      roleName: `${props.projectName}-build`,
      description: `CodeBuild project ${props.projectName}`,
      assumedBy: { type: "Service", identifiers: [context.servicePrincipal("codebuild")] },
      assumeConditions: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [context.accountId] }],
    });
    this.logGroup = new LogGroup(this, childId(this, "logs"), {
      logGroupName: `/aws/codebuild/${props.projectName}`,
      retentionDays: props.logRetentionDays,
      encryptionKey: props.encryptionKey,
    });
    this.logGroup.grantWrite(this.role);
    props.artifactBucket.grantReadWrite(this.role);
    props.encryptionKey.grantEncryptDecrypt(this.role);
    props.dockerRepository?.grantPush(this.role);
    const cache = props.cache ?? !this.docker;
    // CodeBuild downloads the cache before the build and uploads it after, with the project's role;
    // the bucket encrypts it with the environment key, which the role may use (granted above).
    const cachePrefix = `${BUILD_CACHE_PREFIX}${props.projectName}`;
    if (cache) this.role.addToPolicy({ sid: "BuildCache", actions: ["s3:GetObject", "s3:PutObject"], resources: [`${props.artifactBucket.bucketArn}/${cachePrefix}/*`] });

    const variables = Object.entries(props.environmentVariables ?? {}).map(([name, value]) => ({ name, value, type: "PLAINTEXT" }));
    const project = pin(
      this,
      new CodebuildProject(this, "project", {
        name: props.projectName,
        description: props.description ?? `Builds ${props.projectName}`,
        serviceRole: this.role.roleArn,
        encryptionKey: props.encryptionKey.keyArn,
        buildTimeout: timeout,
        queuedTimeout: 480,
        source: { type: "CODEPIPELINE", buildspec: props.buildspec === undefined ? undefined : terraformLiteral(props.buildspec) },
        artifacts: { type: "CODEPIPELINE" },
        cache: cache ? { type: "S3", location: `${props.artifactBucket.bucketName}/${cachePrefix}` } : undefined,
        environment: {
          computeType: props.computeType ?? "BUILD_GENERAL1_SMALL",
          image: platform.image,
          type: platform.type,
          imagePullCredentialsType: "CODEBUILD",
          // The Docker daemon needs privileged mode; nothing else does.
          privilegedMode: this.docker,
          environmentVariable: variables.length > 0 ? variables : undefined,
        },
        logsConfig: {
          cloudwatchLogs: { status: "ENABLED", groupName: this.logGroup.logGroupName },
          s3Logs: { status: "DISABLED" },
        },
      }),
      "project",
    );
    this.projectName = project.name;
    this.projectArn = project.arn;
  }

  /** Lets `role` (a pipeline's) start builds of this project and follow them. */
  public grantStartBuild(role: Role): void {
    role.addToPolicy({ actions: ["codebuild:StartBuild", "codebuild:BatchGetBuilds", "codebuild:StopBuild"], resources: [this.projectArn] });
  }
}
