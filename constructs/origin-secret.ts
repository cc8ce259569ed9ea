import { KmsCiphertext } from "@cdktf/provider-aws/lib/kms-ciphertext";
import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { pin } from "../lib/address";
import { EncryptionKey } from "./encryption-key";

export interface OriginSecretProps {
  /** `<app>-<environment>`; goes into the encryption context and the (non-secret) plaintext. */
  readonly namePrefix: string;
  /** The environment's key; the secret is derived from a ciphertext only it can produce. */
  readonly encryptionKey: EncryptionKey;
  /**
   * Name of the header CloudFront adds to every origin request.
   * @default "X-Origin-Verify"
   */
  readonly headerName?: string;
}

/**
 * The secret a CloudFront distribution sends to its load balancer origin as a custom header, so
 * the load balancer can refuse requests that did not come through this distribution (the
 * origin-facing prefix list admits every distribution of every account).
 *
 * How the value is made, once per environment and then kept: an `aws_kms_ciphertext` resource
 * encrypts a fixed, non-secret text with the environment key. KMS puts a random IV into every
 * ciphertext and the key never leaves KMS, so the ciphertext is unpredictable; the resource reads
 * nothing back (its Read is a no-op), so the value stays as created and the plan after apply stays
 * empty. The header value is the SHA-256 of that ciphertext: 64 hex digits, within the 128
 * characters of an ALB http-header condition value, free of its `*` and `?` wildcards, and
 * unaffected by its case-insensitive comparison. It is marked sensitive, so plans never print it.
 *
 * Why not `data.aws_secretsmanager_random_password` (the `random` provider is not available): it
 * answers a new value on every read, and its ID is the generated password, which Terraform prints
 * in every plan and apply log ("Read complete ... [id=...]", seen in the emulator tier).
 *
 * Rotate with `terraform apply -replace=<the ciphertext's address>`: CloudFront sends the new
 * value once its update has deployed (minutes), the listener rule checks it at once, so requests
 * in between are refused; rotate in a quiet hour. The ciphertext is in Terraform state, like every
 * secret Terraform manages: keep the state encrypted and access to it narrow.
 */
export class OriginSecret extends Construct {
  public readonly headerName: string;
  /** The header's value (a sensitive Terraform expression). */
  public readonly value: string;

  constructor(scope: Construct, id: string, props: OriginSecretProps) {
    super(scope, id);
    this.headerName = props.headerName ?? "X-Origin-Verify";
    if (!/^[A-Za-z0-9-]{1,40}$/.test(this.headerName) || /^(x-amz-|x-amzn-|x-edge-)/i.test(this.headerName)) {
      throw new Error(
        `${this.node.path}: headerName ${JSON.stringify(this.headerName)} must be 1 to 40 letters, digits and dashes (an ALB header condition name), and not an X-Amz-, X-Amzn- or X-Edge- header (CloudFront reserves them)`,
      );
    }
    const ciphertext = pin(
      this,
      new KmsCiphertext(this, "ciphertext", {
        keyId: props.encryptionKey.keyArn,
        plaintext: `${props.namePrefix} CloudFront origin header`,
        context: { purpose: "cloudfront-origin-header", environment: props.namePrefix },
      }),
    );
    this.value = Token.asString(Fn.sensitive(Fn.sha256(ciphertext.ciphertextBlob)));
  }
}
