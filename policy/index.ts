// Public entry point of the policy pack: a rule engine for the synthesized Terraform of any cdktf
// stack. Apply it as an aspect (applyPolicyPack / PolicyAspect), call checkStack for a report, or
// evaluate JSON directly (evaluate). See docs/policy-pack.md and docs/policy-rules.md.
export * from "./aspect";
export * from "./docs";
export * from "./engine";
export * from "./iam";
export * from "./relations";
export * from "./report";
export * from "./rules";
export * from "./suppressions";
export * from "./terraform";
