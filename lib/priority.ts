/**
 * Listener rule priority of an environment on a shared load balancer: the configured one, or one
 * derived from the environment's name alone (FNV-1a), so it never depends on which other
 * environments exist: adding or removing one never reshuffles the others. Derived priorities
 * fall in [1000, 41000); collisions are rejected by configuration validation.
 */
export function listenerRulePriority(envName: string, configured?: number): number {
  if (configured !== undefined) return configured;
  let hash = 0x811c9dc5;
  for (const ch of Buffer.from(envName, "utf8")) {
    hash ^= ch;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return 1000 + (hash % 40000);
}
