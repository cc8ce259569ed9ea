// Runs before every test file: tests build and render stacks as `npm run synth` does, without
// cdktf's token creation stacks (lib/synth/token-creation-stacks.ts) and with plain values resolved
// directly (lib/synth/plain-value-resolve.ts); both would otherwise be most of their synthesis time.
// __tests__/synth-shortcuts.test.ts compares the output with cdktf's own resolver.
import { resolvePlainValuesDirectly } from "../../lib/synth/plain-value-resolve";
import { disableTokenCreationStacks } from "../../lib/synth/token-creation-stacks";

disableTokenCreationStacks();
resolvePlainValuesDirectly();
