import { CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TerraformStack } from "cdktf";
import { BackendConfig } from "../lib/config/backend";
import { defaultStateKey } from "../lib/config/schema";

/**
 * Applies the environment's state backend. The local default keeps the state file in the project
 * root, beside `cdktf.out` (which `cdktf synth` empties), with a path relative to the stack
 * directory so the synthesized file is the same on every machine.
 */
export function applyBackend(stack: TerraformStack, options: { appName: string; envName: string; region: string; backend: BackendConfig }): void {
  const { backend, appName, envName } = options;
  switch (backend.type) {
    case "local":
      new LocalBackend(stack, { path: backend.path ?? `../../../terraform.${appName}-${envName}.tfstate` });
      return;
    case "s3": {
      const s3 = new S3Backend(stack, {
        bucket: backend.bucket,
        key: backend.key ?? defaultStateKey(appName, envName),
        region: backend.region ?? options.region,
        encrypt: backend.encrypt,
        kmsKeyId: backend.kmsKeyId,
        dynamodbTable: backend.dynamodbTable,
        assumeRole: backend.roleArn ? { roleArn: backend.roleArn } : undefined,
      });
      // cdktf 0.21's S3Backend has no field for S3-native locking (Terraform >= 1.10).
      if (backend.useLockfile) s3.addOverride("use_lockfile", true);
      return;
    }
    case "cloud":
      new CloudBackend(stack, {
        organization: backend.organization,
        hostname: backend.hostname,
        workspaces: new NamedCloudWorkspace(backend.workspace, backend.project),
      });
      return;
  }
}
