"""S3 gaps of moto 5.2.1."""
from moto.core.responses import ActionResult
from moto.s3.responses import S3Response

# GetBucketNotificationConfiguration never returns EventBridgeConfiguration, though PUT stores it
# ("eventbridge = false -> true" on every plan).
_get_bucket_notification = S3Response.get_bucket_notification


def get_bucket_notification(self):
    config = self.backend.get_bucket_notification_configuration(self.bucket_name)
    if not config or config.event_bridge is None:
        return _get_bucket_notification(self)

    def build(item, arn_key):
        out = {"Id": item.id, arn_key: item.arn, "Events": item.events}
        if item.filters:
            out["Filter"] = {"Key": {"FilterRules": item.filters["S3Key"]["FilterRule"]}}
        return out

    result = {
        "TopicConfigurations": [build(t, "TopicArn") for t in config.topic],
        "QueueConfigurations": [build(q, "QueueArn") for q in config.queue],
        "LambdaFunctionConfigurations": [build(c, "LambdaFunctionArn") for c in config.cloud_function],
        "EventBridgeConfiguration": {},
    }
    self.data["Action"] = "GetBucketNotificationConfiguration"
    return self.serialized(ActionResult(result))


S3Response.get_bucket_notification = get_bucket_notification
