// Public entry point of the construct library (re-exports only).
export * from "./account-context";
export * from "./artifact-store";
export * from "./bucket";
export * from "./container-repository";
export * from "./encryption-key";
export * from "./golden-ami";
export * from "./image-components";
export * from "./log-group";
export * from "./network";
export * from "./policy-document";
export * from "./role";
export * from "./security-group";
