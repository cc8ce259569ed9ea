import { Rule } from "../engine";
import { isSet, isTrue, shown } from "../terraform";

export const RDS_RULES: Rule[] = [
  {
    id: "RDS.ENCRYPTION",
    title: "Database instances and clusters encrypt their storage.",
    rationale: "Storage encryption can only be chosen at creation; an unencrypted database must be rebuilt from a snapshot to fix it.",
    fix: "Set storage_encrypted = true (and kms_key_id to the environment key).",
    checkov: ["CKV_AWS_16", "CKV_AWS_96"],
    resourceTypes: ["aws_db_instance", "aws_rds_cluster"],
    scope: "instances that are not read replicas (replicas inherit their source's encryption)",
    appliesTo: (db) => !isSet(db.values.replicate_source_db),
    check: (db) => (isTrue(db.values.storage_encrypted) ? undefined : `storage_encrypted is ${shown(db.values.storage_encrypted)}`),
  },
  {
    id: "RDS.NOT_PUBLIC",
    title: "Database instances are not publicly accessible.",
    rationale: "A public endpoint puts the database one security group mistake away from the internet; applications reach it inside the VPC.",
    fix: "Set publicly_accessible = false and place the instance in the isolated data subnets.",
    checkov: ["CKV_AWS_17"],
    resourceTypes: ["aws_db_instance", "aws_rds_cluster_instance"],
    check: (db) => (isTrue(db.values.publicly_accessible) ? "publicly_accessible is true" : undefined),
  },
  {
    id: "RDS.DELETION_PROTECTION",
    title: "Databases of protected stacks have deletion protection.",
    rationale: "A destroy or a replacement in the plan must not be able to delete the data of a protected environment.",
    fix: "Set deletion_protection = true; the EnvironmentStack passes the environment's `protection` setting to the pack.",
    checkov: ["CKV_AWS_293", "CKV_AWS_139"],
    resourceTypes: ["aws_db_instance", "aws_rds_cluster"],
    scope: "stacks with protection on",
    appliesTo: (_db, stack) => stack.protection,
    check: (db) => (isTrue(db.values.deletion_protection) ? undefined : `deletion_protection is ${shown(db.values.deletion_protection)}`),
  },
];
