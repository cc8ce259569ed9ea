import { z } from "zod";
import { bool, integer, strictObject } from "./primitives";

export const containerRepositorySchema = strictObject({
  immutableTags: bool.default(true).describe("Refuse pushing a tag that already exists."),
  keepLastImages: integer(1, 10000, "a number of images").default(30).describe("Images kept; older ones expire."),
  untaggedExpirationDays: integer(1, 3650, "a number of days").default(7).describe("Days an untagged image is kept."),
})
  .prefault({})
  .describe("The environment's ECR repository.");

export const artifactsSchema = strictObject({
  artifactExpirationDays: integer(30, 3650, "a number of days")
    .default(365)
    .describe("Days after which build artifacts and pipeline revisions expire. Keep it longer than the time between releases: CodeDeploy re-deploys the last revision to instances that scale out."),
  noncurrentVersionExpirationDays: integer(1, 3650, "a number of days").default(30).describe("Days noncurrent object versions are kept."),
  logExpirationDays: integer(1, 3650, "a number of days").default(90).describe("Days Image Builder logs (prefix image-builder/) are kept."),
  containerRepository: containerRepositorySchema,
})
  .prefault({})
  .describe("S3 artifact bucket and ECR repository.");

export type ArtifactsConfig = z.output<typeof artifactsSchema>;
