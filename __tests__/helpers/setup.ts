// Runs before every test file: tests build stacks as `npm run synth` does, without cdktf's token
// creation stacks (lib/token-creation-stacks.ts), which would be most of their synthesis time.
import { disableTokenCreationStacks } from "../../lib/token-creation-stacks";

disableTokenCreationStacks();
