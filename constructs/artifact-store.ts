import { Construct } from "constructs";
import { childId } from "../lib/address";
import { Bucket } from "./bucket";
import { ContainerRepository } from "./container-repository";
import { EncryptionKey } from "./encryption-key";

/** Prefix under which EC2 Image Builder writes its logs in the artifact bucket. */
export const IMAGE_BUILDER_LOG_PREFIX = "image-builder/";
/** Prefix under which CodeBuild keeps each project's S3 cache (`build-cache/<project>/`) in the artifact bucket. */
export const BUILD_CACHE_PREFIX = "build-cache/";
/** Days a build cache nobody rewrote is kept; each build replaces it, so only a project without builds loses it. */
const BUILD_CACHE_EXPIRATION_DAYS = 30;

export interface ArtifactStoreProps {
  /** `<app>-<environment>`; the bucket gets it as a prefix, the repository as its name. */
  readonly namePrefix: string;
  readonly encryptionKey: EncryptionKey;
  /**
   * Days after which build artifacts and pipeline revisions expire.
   * @default 365
   */
  readonly artifactExpirationDays?: number;
  /**
   * Days noncurrent object versions are kept.
   * @default 30
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Days Image Builder logs are kept.
   * @default 90
   */
  readonly logExpirationDays?: number;
  /** @default true */
  readonly immutableTags?: boolean;
  /** @default 30 */
  readonly keepLastImages?: number;
  /** @default 7 */
  readonly untaggedExpirationDays?: number;
  /**
   * Let `terraform destroy` remove a bucket and repository that still hold data.
   * @default false
   */
  readonly forceDestroy?: boolean;
}

/**
 * Where releases live: an S3 bucket for build artifacts, pipeline revisions and Image Builder logs,
 * and an ECR repository for container images, both encrypted with the environment key.
 */
export class ArtifactStore extends Construct {
  public readonly bucket: Bucket;
  public readonly repository: ContainerRepository;

  constructor(scope: Construct, id: string, props: ArtifactStoreProps) {
    super(scope, id);
    const expiration = props.artifactExpirationDays ?? 365;
    this.bucket = new Bucket(this, childId(this, "bucket"), {
      bucketPrefix: `${props.namePrefix}-artifacts-`,
      encryptionKey: props.encryptionKey,
      forceDestroy: props.forceDestroy ?? false,
      lifecycleRules: [
        // Overlapping rules resolve to the shortest expiration, so logs follow their own period
        // when it is the shorter one.
        { id: "expire-artifacts", expirationDays: expiration, noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays ?? 30, abortIncompleteMultipartUploadDays: 7 },
        { id: "expire-image-builder-logs", prefix: IMAGE_BUILDER_LOG_PREFIX, expirationDays: props.logExpirationDays ?? 90 },
        // Every build overwrites the cache: the version it replaces is worth nothing a day later.
        { id: "expire-build-cache", prefix: BUILD_CACHE_PREFIX, expirationDays: BUILD_CACHE_EXPIRATION_DAYS, noncurrentVersionExpirationDays: 1 },
      ],
    });
    this.repository = new ContainerRepository(this, childId(this, "repository"), {
      repositoryName: props.namePrefix,
      encryptionKey: props.encryptionKey,
      immutableTags: props.immutableTags,
      keepLastImages: props.keepLastImages,
      untaggedExpirationDays: props.untaggedExpirationDays,
      forceDelete: props.forceDestroy ?? false,
    });
  }
}
