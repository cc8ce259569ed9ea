import { Rule } from "../engine";
import { isSet, shown } from "../terraform";

export const MONITORING_RULES: Rule[] = [
  {
    id: "LOGS.RETENTION",
    title: "Every CloudWatch log group has a retention period.",
    rationale: "Without retention, log groups keep every event forever: unbounded cost and personal data kept longer than any policy allows.",
    fix: "Set retention_in_days to one of the periods CloudWatch Logs accepts (the LogGroup construct requires it).",
    checkov: ["CKV_AWS_66"],
    resourceTypes: ["aws_cloudwatch_log_group"],
    check: (group) => {
      const days = group.values.retention_in_days;
      return typeof days === "number" && days > 0 ? undefined : `retention_in_days is ${shown(days, "events never expire")}`;
    },
  },
  {
    id: "SNS.ENCRYPTION",
    title: "Every SNS topic is encrypted with a KMS key.",
    rationale: "Notifications carry resource names, deployment ids and alarm details; server-side encryption keeps them encrypted at rest.",
    fix: "Set kms_master_key_id to the environment key and admit the publishing services in its key policy (EncryptionKey.allowServiceToPublish).",
    checkov: ["CKV_AWS_26"],
    resourceTypes: ["aws_sns_topic"],
    check: (topic) => (isSet(topic.values.kms_master_key_id) ? undefined : "kms_master_key_id is not set"),
  },
];
