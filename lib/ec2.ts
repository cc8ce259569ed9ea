/** CPU architecture of an EC2 instance type or AMI, spelled as EC2 and Image Builder spell it. */
export type Architecture = "x86_64" | "arm64";

export const ARCHITECTURES = ["x86_64", "arm64"] as const;

/**
 * The architecture an instance type runs, from its name: Graviton types carry a `g` in the
 * attributes after the generation digit (m7g, c6gn, t4g, im4gn, g5g) and the first Graviton family
 * is `a1`; everything else is x86_64 (g5, g4dn and m7i-flex included). An AMI only boots on its own
 * architecture, so the golden image and the fleet must agree.
 */
export function instanceArchitecture(instanceType: string): Architecture {
  const m = /^([a-z]+)(\d+)([a-z-]*)\./.exec(instanceType);
  if (!m) return "x86_64";
  const [, family, , attributes] = m;
  return family === "a" || attributes.includes("g") ? "arm64" : "x86_64";
}

/** An AMI ID: `ami-` and 8 (older images) or 17 hexadecimal digits, e.g. `ami-0123456789abcdef0`. */
export const AMI_ID_PATTERN = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;
