import { createHash } from "crypto";
import { Token } from "cdktf";

/**
 * EC2 Image Builder conventions shared by the configuration schema and the GoldenAmi construct:
 * content-derived semantic versions and the service's own six-field cron format.
 */

/** Components the golden AMI can include, in the order the recipe runs them. */
export const IMAGE_COMPONENTS = ["codedeploy-agent", "cloudwatch-agent", "docker", "nodejs", "nginx"] as const;
export type ImageComponentName = (typeof IMAGE_COMPONENTS)[number];

/**
 * Node.js majors Amazon Linux 2023 ships as namespaced `nodejs<major>` packages (AL2023 user guide,
 * "Node.js in AL2023"); 18 reached end of life and left the repositories.
 */
export const NODEJS_MAJORS = [20, 22, 24] as const;
export const DEFAULT_NODEJS_MAJOR = 22;

/** Largest value Image Builder accepts in each node of a semantic version (2^30 - 1). */
export const MAX_VERSION_NODE = 2 ** 30 - 1;

/**
 * A semantic version `<major>.<minor>.<n>` where `n` is derived from a hash of `content`.
 * Image Builder components and recipes are immutable per version: re-creating one under a version
 * that exists fails with ResourceAlreadyExistsException. Deriving the version from the content
 * makes every change a new version (and unchanged content the same version, so nothing is
 * replaced), without a counter that someone has to remember to bump.
 *
 * `n` is the first 28 bits of a SHA-256 digest: below the service's 2^30 - 1 limit per node, and a
 * collision between two versions of one component needs thousands of versions to become likely.
 */
export function contentVersion(content: unknown, major = 1, minor = 0): string {
  assertResolved(content, "content");
  const digest = createHash("sha256").update(canonicalJson(content)).digest("hex");
  return `${major}.${minor}.${parseInt(digest.slice(0, 7), 16)}`;
}

/** JSON with object keys sorted at every depth, so equal content always hashes equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** A version must not depend on Terraform values unknown at synth time (their token text is not stable). */
function assertResolved(value: unknown, where: string): void {
  if (typeof value === "string" || typeof value === "number") {
    if (Token.isUnresolved(value)) throw new Error(`${where} holds a value Terraform only knows at apply time; versions are computed from synth-time content only`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => assertResolved(v, `${where}[${i}]`));
  } else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) assertResolved(v, `${where}.${k}`);
  }
}

/** An Image Builder schedule that runs every Sunday at 03:00. */
export const CRON_EXAMPLE = "cron(0 3 ? * SUN *)";

export const CRON_ALLOWED = `an Image Builder cron expression with six fields, like ${CRON_EXAMPLE}: minutes hours day-of-month month day-of-week year, with ? in exactly one of day-of-month and day-of-week`;

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Special items of this field besides numbers, ranges, steps and `*`. */
  readonly special?: RegExp;
}

// The fields and wildcards of https://docs.aws.amazon.com/imagebuilder/latest/userguide/cron-expressions.html
const CRON_FIELDS: readonly CronField[] = [
  { name: "minutes", min: 0, max: 59 },
  { name: "hours", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31, special: /^(\?|L|LW|([1-9]|[12]\d|3[01])W)$/ },
  { name: "month", min: 1, max: 12, names: MONTHS },
  { name: "day-of-week", min: 1, max: 7, names: DAYS, special: /^(\?|L|[1-7]L|[1-7]#[1-5]|(SUN|MON|TUE|WED|THU|FRI|SAT)(L|#[1-5]))$/ },
  { name: "year", min: 1970, max: 2199 },
];

/**
 * What is wrong with an Image Builder schedule expression, or undefined when it is valid. Image
 * Builder takes `cron(...)` with six fields (minutes hours day-of-month month day-of-week year); a
 * five-field Unix crontab line or a `rate()` expression is refused by the service at apply time,
 * long after review.
 */
export function cronProblem(expression: string): string | undefined {
  const m = /^cron\((.*)\)$/.exec(expression);
  if (!m) return "it must be written cron(...)";
  if (/^\s|\s$|\s\s|[^\S ]/.test(m[1])) return "its fields must be separated by single spaces, with none before the first or after the last";
  const fields = m[1].split(" ");
  if (fields.length !== 6) return `it has ${fields.length} fields; six are needed`;
  for (let i = 0; i < 6; i++) {
    if (!validField(fields[i], CRON_FIELDS[i])) return `the ${CRON_FIELDS[i].name} field "${fields[i]}" is not valid (${CRON_FIELDS[i].min}-${CRON_FIELDS[i].max}${CRON_FIELDS[i].names ? ` or ${CRON_FIELDS[i].names![0]}-${CRON_FIELDS[i].names!.at(-1)}` : ""})`;
  }
  const [, , dayOfMonth, , dayOfWeek] = fields;
  if ((dayOfMonth === "?") === (dayOfWeek === "?")) return "exactly one of day-of-month and day-of-week must be ?";
  return undefined;
}

function validField(text: string, field: CronField): boolean {
  return text.split(",").every((item) => {
    if (field.special?.test(item.toUpperCase())) return item === "?" ? text === "?" : true;
    const [base, step, ...rest] = item.split("/");
    if (rest.length > 0) return false;
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1 && Number(step) <= field.max)) return false;
    if (base === "*") return true;
    const bounds = base.split("-");
    if (bounds.length > 2) return false;
    const values = bounds.map((b) => value(b, field));
    if (values.some((v) => v === undefined)) return false;
    return values.length === 1 || values[0]! <= values[1]!;
  });
}

function value(text: string, field: CronField): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= field.min && n <= field.max ? n : undefined;
  }
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  return index >= 0 ? index + field.min : undefined;
}

/** IANA time zone names as Image Builder's Schedule.timezone pattern accepts them. */
export const TIMEZONE_PATTERN = /^[a-zA-Z0-9]{2,}(?:\/[a-zA-Z0-9_+-]+)*$/;
