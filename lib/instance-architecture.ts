/**
 * CPU architecture of an EC2 instance type: Graviton families carry a `g` after the generation
 * digit (t4g, m7g, c7gn, r8gd, ...); everything else this project runs is x86_64.
 */
export function architectureOf(instanceType: string): "arm64" | "x86_64" {
  const family = instanceType.split(".")[0];
  return /^[a-z]+\d+[a-z]*g[a-z]*$/.test(family) ? "arm64" : "x86_64";
}
