import { z } from "zod";
import { isCidr, parseCidr } from "../cidr";

/*
 * Building blocks of the configuration schema. Each carries the sentence that says what it
 * accepts twice: as the validation message (so an error names the fix) and as `allowed`
 * metadata (so docs/configuration.md and config/schema.json are generated from the same words).
 */

/**
 * A strict object: unknown keys are errors, and the message lists the keys
 * that are allowed at that place, so a typo names its own fix.
 */
export function strictObject<T extends z.ZodRawShape>(shape: T) {
  const known = Object.keys(shape).sort().join(", ");
  return z.strictObject(shape, {
    error: (issue) => (issue.code === "unrecognized_keys" ? `known keys here are: ${known}` : undefined),
  });
}

/** A value from a closed list; the message lists every allowed value. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  const allowed = `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`;
  return z.enum(values, { error: allowed }).meta({ allowed });
}

export function integer(min: number, max: number, what = "a whole number") {
  const allowed = `${what} from ${min} to ${max}`;
  return z.number({ error: allowed }).int({ error: allowed }).min(min, { error: allowed }).max(max, { error: allowed }).meta({ allowed });
}

export const bool = z.boolean({ error: "true or false" }).meta({ allowed: "true or false" });

/** A string matching `re`; type errors and mismatches both say what is allowed. */
export function pattern(re: RegExp, allowed: string) {
  return z.string({ error: allowed }).regex(re, { error: allowed }).meta({ allowed });
}

/** A string accepted by `test`; type errors and refusals both say what is allowed. */
export function checkedString(test: (value: string) => boolean, allowed: string) {
  return z.string({ error: allowed }).refine(test, { error: allowed }).meta({ allowed });
}

/** CloudWatch Logs accepts only these retention periods (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const RETENTION = `a CloudWatch Logs retention period: one of ${LOG_RETENTION_DAYS.join(", ")} days`;
export const logRetentionDays = z
  .number({ error: RETENTION })
  .refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), { error: RETENTION })
  .meta({ allowed: RETENTION });

export function ipv4Cidr(minPrefix: number, maxPrefix: number) {
  return checkedString(
    (v) => {
      const cidr = parseCidr(v);
      return cidr !== undefined && cidr.prefix >= minPrefix && cidr.prefix <= maxPrefix;
    },
    `an IPv4 CIDR block in network form (like 10.20.0.0/16) with a prefix from /${minPrefix} to /${maxPrefix}`,
  );
}

/** Any IPv4 or IPv6 CIDR, used for ingress allow-lists. */
export const ingressCidr = checkedString(isCidr, "an IPv4 CIDR in network form (like 203.0.113.0/24 or 0.0.0.0/0) or an IPv6 CIDR (like ::/0)");

/**
 * Who may reach a test listener (the testers' networks): at least one CIDR, never /0, because a
 * test listener serves a version that has not been released yet.
 */
export const testerCidrs = z
  .array(ingressCidr, { error: "a non-empty list of CIDRs, none of them /0" })
  .min(1, { error: "at least one CIDR (the testers' networks)" })
  .refine((cidrs) => !cidrs.some((c) => /\/0$/.test(c)), { error: "specific CIDRs only: the test listener serves an unreleased version, never the whole internet (/0)" })
  .meta({ allowed: "a non-empty list of CIDRs, none of them /0" });

export const region = pattern(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, "an AWS region code such as eu-west-1 or us-east-1");

export const accountId = pattern(/^\d{12}$/, "a 12-digit AWS account ID written as a string");

export const availabilityZone = pattern(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, "an availability zone name such as eu-west-1a");

/** Names that end up inside AWS resource names (lower case, digits, inner hyphens). */
export function dnsLabel(maxLength: number) {
  return pattern(
    new RegExp(`^(?=.{1,${maxLength}}$)[a-z][a-z0-9]*(-[a-z0-9]+)*$`),
    `lower-case letters, digits and inner hyphens, starting with a letter, at most ${maxLength} characters`,
  );
}

export const hostName = pattern(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "a fully qualified lower-case DNS name such as app.example.com");

export const hostedZoneId = pattern(/^Z[A-Z0-9]{4,32}$/, "a Route53 hosted zone ID such as Z0123456789ABCDEFGHIJ");

export const acmCertificateArn = pattern(
  /^arn:aws(-[a-z]+)*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/,
  "an ACM certificate ARN: arn:aws:acm:<region>:<account>:certificate/<uuid>",
);

export const tagMap = z
  .record(
    pattern(/^(?!aws:)[\p{L}\p{N}\s_.:/=+\-@]{1,128}$/u, "a tag key of 1-128 characters (letters, digits, spaces, _ . : / = + - @), not starting with aws:"),
    pattern(/^[\p{L}\p{N}\s_.:/=+\-@]{0,256}$/u, "a tag value of at most 256 characters (letters, digits, spaces, _ . : / = + - @)"),
  )
  .default({})
  .meta({ allowed: "a map of tag keys to values" });

/** Who may reach a machine on SSH: specific CIDRs only; empty means no SSH rule (Session Manager). */
export const sshIngressCidrs = z
  .array(ingressCidr)
  .default([])
  .refine((cidrs) => !cidrs.some((c) => /\/0$/.test(c)), {
    error: "specific CIDRs only: SSH from the whole internet (/0) is not allowed; use Session Manager instead",
  })
  .meta({ allowed: "a list of CIDRs, none of them /0" });

/** Key types EC2 imports (aws_key_pair): ed25519, ECDSA and RSA. */
const SSH_KEY_TYPES = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa"] as const;
const MIN_RSA_BITS = 2048;

/**
 * Why an OpenSSH public key line is unusable, or undefined when it is fine: the key type, base64
 * that decodes to a blob naming the same type, and at least 2048 bits for RSA.
 */
export function sshPublicKeyProblem(value: string): string | undefined {
  const [type, body] = value.trim().split(/\s+/);
  if (!(SSH_KEY_TYPES as readonly string[]).includes(type)) return `key type ${JSON.stringify(type ?? "")} is not one of ${SSH_KEY_TYPES.join(", ")}`;
  if (!body || !/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) return "the key is not base64";
  const blob = Buffer.from(body, "base64");
  const fields: Buffer[] = [];
  for (let at = 0; at + 4 <= blob.length && fields.length < 3; ) {
    const length = blob.readUInt32BE(at);
    fields.push(blob.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  if (fields[0]?.toString("latin1") !== type) return `the key data does not describe a ${type} key`;
  if (type === "ssh-rsa") {
    const modulus = fields[2];
    if (!modulus) return "the RSA key has no modulus";
    const bits = (modulus[0] === 0 ? modulus.length - 1 : modulus.length) * 8;
    if (bits < MIN_RSA_BITS) return `the RSA key has ${bits} bits; at least ${MIN_RSA_BITS}`;
  }
  return undefined;
}

export const sshPublicKey = checkedString(
  (v) => sshPublicKeyProblem(v) === undefined,
  `one OpenSSH public key line ("<type> <base64> [comment]") of type ${SSH_KEY_TYPES.join(", ")}; RSA keys with at least ${MIN_RSA_BITS} bits`,
);

