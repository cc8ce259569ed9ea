import {
  CloudBackend,
  DataTerraformRemoteState,
  DataTerraformRemoteStateLocal,
  DataTerraformRemoteStateS3,
  LocalBackend,
  NamedCloudWorkspace,
  NamedRemoteWorkspace,
  S3Backend,
  TerraformRemoteState,
  TerraformStack,
} from "cdktf";
import { Construct } from "constructs";
import { snake } from "../lib/address";
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

/**
 * Reads the outputs of another stack of this app (the shared load balancer stack) through its
 * backend: `data.terraform_remote_state.<id>`.
 */
export function remoteState(scope: Construct, id: string, options: { appName: string; stackSuffix: string; region: string; backend: BackendConfig }): TerraformRemoteState {
  const { backend, appName, stackSuffix } = options;
  let state: TerraformRemoteState;
  switch (backend.type) {
    case "local":
      state = new DataTerraformRemoteStateLocal(scope, id, { path: backend.path ?? `../../../terraform.${appName}-${stackSuffix}.tfstate` });
      break;
    case "s3":
      state = new DataTerraformRemoteStateS3(scope, id, {
        bucket: backend.bucket,
        key: backend.key ?? defaultStateKey(appName, stackSuffix),
        region: backend.region ?? options.region,
        assumeRole: backend.roleArn ? { roleArn: backend.roleArn } : undefined,
      });
      break;
    case "cloud":
      state = new DataTerraformRemoteState(scope, id, {
        organization: backend.organization,
        hostname: backend.hostname,
        workspaces: new NamedRemoteWorkspace(backend.workspace),
      });
      break;
  }
  state.overrideLogicalId(snake(id));
  return state;
}
