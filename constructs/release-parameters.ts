import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Construct } from "constructs";
import { pin, snake } from "../lib/address";
import { AccountContext } from "./account-context";
import { EncryptionKey } from "./encryption-key";
import { Role } from "./role";

export interface ReleaseParametersProps {
  /** Root of the environment's parameters, e.g. `/webapp/staging` (no trailing slash). */
  readonly root: string;
  /** Values the release files read at deploy time, by name (e.g. `ecr-repository-url`). */
  readonly values: Readonly<Record<string, string>>;
  /** Key of the environment; application SecureStrings under `<root>/env/` should use it. */
  readonly encryptionKey: EncryptionKey;
}

/**
 * SSM parameters under `<root>/release/` that deploy scripts and buildspecs read at run time
 * (values Terraform only knows after apply, such as the ECR URL and bucket name), and the place
 * `<root>/env/` for the application's own settings, written to its environment file.
 */
export class ReleaseParameters extends Construct {
  public readonly root: string;
  /** Path of the application's own parameters (`<root>/env/`). */
  public readonly environmentPath: string;
  /** Full parameter names by value name. */
  public readonly names: Record<string, string> = {};
  /** The parameter resources. */
  public readonly parameters: SsmParameter[] = [];
  private readonly encryptionKey: EncryptionKey;

  constructor(scope: Construct, id: string, props: ReleaseParametersProps) {
    super(scope, id);
    this.root = props.root;
    this.environmentPath = `${props.root}/env/`;
    this.encryptionKey = props.encryptionKey;
    for (const [name, value] of Object.entries(props.values)) this.add(name, value);
  }

  /** Adds a value under `<root>/release/<name>` (for options that exist only in some environments). */
  public add(name: string, value: string): SsmParameter {
    if (this.names[name]) throw new Error(`${this.node.path}: a release value named ${name} exists already`);
    this.names[name] = `${this.root}/release/${name}`;
    const parameter = pin(this, new SsmParameter(this, name, { name: this.names[name], description: "Read by the release files at deploy time", type: "String", value }), snake(name));
    this.parameters.push(parameter);
    return parameter;
  }

  /**
   * Read the release values and the application's parameters (decrypting SecureStrings).
   * `GetParametersByPath` is authorized against the path string of the request, not against the
   * parameters it returns, so the grant names the path exactly as the env-sync helper sends it
   * (`<root>/env/`, with the trailing slash) and the paths below it; nothing reads `release/` by path.
   */
  public grantRead(role: Role): void {
    const context = AccountContext.of(this);
    const parameter = (path: string) => context.arn("ssm", `parameter${path}`);
    role.addToPolicy(
      { actions: ["ssm:GetParameter", "ssm:GetParameters"], resources: [parameter(`${this.root}/release/*`), parameter(`${this.environmentPath}*`)] },
      { actions: ["ssm:GetParametersByPath"], resources: [parameter(this.environmentPath), parameter(`${this.environmentPath}*`)] },
    );
    this.encryptionKey.grantDecrypt(role);
  }
}
