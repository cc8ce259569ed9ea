import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { Construct } from "constructs";
import { pin } from "../lib/address";
import { suppress } from "../policy";
import { EncryptionKey } from "./encryption-key";
import { Role } from "./role";

export interface ContainerRepositoryProps {
  readonly repositoryName: string;
  /** Key that encrypts image layers. */
  readonly encryptionKey: EncryptionKey;
  /**
   * Refuse pushing a tag that already exists.
   * @default true
   */
  readonly immutableTags?: boolean;
  /**
   * Images kept; the oldest beyond this count expire.
   * @default 30
   */
  readonly keepLastImages?: number;
  /**
   * Days an untagged image is kept.
   * @default 7
   */
  readonly untaggedExpirationDays?: number;
  /**
   * Let `terraform destroy` delete a repository that still holds images.
   * @default false
   */
  readonly forceDelete?: boolean;
}

/** An ECR repository with scan on push, KMS encryption, immutable tags by default and a lifecycle policy. */
export class ContainerRepository extends Construct {
  public readonly repositoryName: string;
  public readonly repositoryArn: string;
  public readonly repositoryUrl: string;
  private readonly encryptionKey: EncryptionKey;

  constructor(scope: Construct, id: string, props: ContainerRepositoryProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    const repository = pin(
      this,
      new EcrRepository(this, "repository", {
        name: props.repositoryName,
        imageTagMutability: props.immutableTags ?? true ? "IMMUTABLE" : "MUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: [{ encryptionType: "KMS", kmsKey: props.encryptionKey.keyArn }],
        forceDelete: props.forceDelete ?? false,
      }),
    );
    if (!(props.immutableTags ?? true)) {
      suppress(repository, "ECR.IMMUTABLE_TAGS", "the configuration turns immutable tags off (artifacts.containerRepository.immutableTags: false)");
    }
    this.repositoryName = repository.name;
    this.repositoryArn = repository.arn;
    this.repositoryUrl = repository.repositoryUrl;

    const keep = props.keepLastImages ?? 30;
    const untaggedDays = props.untaggedExpirationDays ?? 7;
    pin(
      this,
      new EcrLifecyclePolicy(this, "lifecycle", {
        repository: repository.name,
        policy: JSON.stringify({
          rules: [
            {
              rulePriority: 1,
              description: `Expire untagged images after ${untaggedDays} days`,
              selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: untaggedDays },
              action: { type: "expire" },
            },
            {
              rulePriority: 2,
              description: `Keep the last ${keep} images`,
              selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keep },
              action: { type: "expire" },
            },
          ],
        }),
      }),
    );
  }

  /** Pull images (and get the registry token, which has no resource scope in the ECR API). */
  public grantPull(role: Role): void {
    role.addToPolicy(
      { sid: "EcrAuthToken", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
      { actions: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], resources: [this.repositoryArn] },
    );
    this.encryptionKey.grantDecrypt(role);
  }

  /**
   * Look up images and their digests (`aws ecr describe-images`): the image build script checks
   * whether a tag exists and records the pushed image's digest.
   */
  public grantDescribeImages(role: Role): void {
    role.addToPolicy({ actions: ["ecr:DescribeImages"], resources: [this.repositoryArn] });
  }

  /** Push images (includes pull, which `docker push` needs to check existing layers). */
  public grantPush(role: Role): void {
    this.grantPull(role);
    role.addToPolicy({
      actions: ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"],
      resources: [this.repositoryArn],
    });
    this.encryptionKey.grantEncryptDecrypt(role);
  }
}
