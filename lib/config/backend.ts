import { z } from "zod";
import { bool, pattern, region, strictObject } from "./primitives";

export const localBackendSchema = strictObject({
  type: z.literal("local").describe("Local state file."),
  path: pattern(/^.+$/, "a non-empty file path")
    .optional()
    .describe(
      "State file path, relative to the stack directory cdktf.out/stacks/<stack>/. Default: ../../../terraform.<app>-<env>.tfstate, the project root, outside cdktf.out (which `cdktf synth` empties).",
    ),
});

export const s3BackendSchema = strictObject({
  type: z.literal("s3").describe("State in an S3 bucket."),
  bucket: pattern(/^(?=.{3,63}$)[a-z0-9][a-z0-9.-]*[a-z0-9]$/, "an S3 bucket name: 3-63 lower-case letters, digits, dots and hyphens").describe("Bucket holding the state."),
  key: pattern(/^(?!\/)[A-Za-z0-9!_.*'()/-]{1,1024}(?<!\/)$/, "an S3 object key such as myapp/staging/terraform.tfstate that neither starts nor ends with /")
    .optional()
    .describe("Object key of the state. Default: <app>/<env>/terraform.tfstate."),
  region: region.optional().describe("Region of the state bucket. Default: the environment's region."),
  encrypt: bool.default(true).describe("Server-side encryption of the state object."),
  kmsKeyId: pattern(/^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+|alias\/.+|[0-9a-f-]{36})$/, "a KMS key ARN, key ID or alias/... name")
    .optional()
    .describe("KMS key that encrypts the state object."),
  useLockfile: bool.default(true).describe("S3-native state locking (Terraform >= 1.10)."),
  dynamodbTable: pattern(/^[A-Za-z0-9_.-]{3,255}$/, "a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)")
    .optional()
    .describe("Legacy DynamoDB lock table; may be combined with useLockfile while migrating."),
  roleArn: pattern(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, "an IAM role ARN").optional().describe("Role Terraform assumes to reach the state."),
});

export const cloudBackendSchema = strictObject({
  type: z.literal("cloud").describe("State and runs in Terraform Cloud / Enterprise."),
  organization: pattern(/^[A-Za-z0-9_-]{1,40}$/, "a Terraform Cloud organization name (letters, digits, _ and -)").describe("Organization."),
  workspace: pattern(/^[A-Za-z0-9_-]{1,90}$/, "a Terraform Cloud workspace name (letters, digits, _ and -, at most 90)").describe("Workspace of this environment."),
  hostname: pattern(/^[a-z0-9.-]+$/, "a host name such as app.terraform.io").default("app.terraform.io").describe("Terraform Cloud or Enterprise host."),
  project: pattern(/^.{1,90}$/, "a Terraform Cloud project name (1-90 characters)").optional().describe("Project the workspace belongs to."),
});

export const backendSchema = z
  .discriminatedUnion("type", [localBackendSchema, s3BackendSchema, cloudBackendSchema], {
    error: 'a backend with type "local", "s3" or "cloud"',
  })
  .default({ type: "local" })
  .describe("Where this environment's Terraform state lives.");

export type BackendConfig = z.output<typeof backendSchema>;
