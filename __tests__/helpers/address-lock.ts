import { addressesOf } from "../../lib/address";

/**
 * Compares a synthesized stack with its locked address list. A locked resource address that is
 * gone and not the `from` of a `moved` block would be destroyed by the next apply; data sources
 * destroy nothing. New addresses must be added to the lock on purpose.
 */
export function compareWithLock(json: Record<string, any>, locked: readonly string[]): { destroyedWithoutMovedBlock: string[]; addedButNotLocked: string[] } {
  const current = addressesOf(json);
  const moved = new Set<string>((json.moved ?? []).map((m: { from: string }) => m.from));
  return {
    destroyedWithoutMovedBlock: locked.filter((a) => !current.includes(a) && !a.startsWith("data.") && !moved.has(a)),
    addedButNotLocked: current.filter((a) => !locked.includes(a)),
  };
}
