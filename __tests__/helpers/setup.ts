// Runs before every test file: tests build and render stacks as `npm run synth` does, without
// cdktf's token creation stacks (lib/token-creation-stacks.ts) and with plain values resolved
// directly (lib/plain-value-resolve.ts); both would otherwise be most of their synthesis time.
// __tests__/synth-shortcuts.test.ts compares the output with cdktf's own resolver.
import { resolvePlainValuesDirectly } from "../../lib/plain-value-resolve";
import { disableTokenCreationStacks } from "../../lib/token-creation-stacks";

disableTokenCreationStacks();
resolvePlainValuesDirectly();
