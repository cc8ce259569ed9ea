"""Auto Scaling gaps of moto 5.2.1."""
from moto.autoscaling.responses import AutoScalingResponse
from moto.autoscaling.exceptions import ValidationError
from moto.core.responses import ActionResult, EmptyResult


# PutNotificationConfiguration, DescribeNotificationConfigurations and DeleteNotificationConfiguration
# raise NotImplementedError (HTTP 500), which the AWS provider retries for ever
# (aws_autoscaling_notification "Still creating..."). Kept per backend; a deleted group drops its own.
def _notifications(backend):
    if not hasattr(backend, "_e2e_notifications"):
        backend._e2e_notifications = {}
    return backend._e2e_notifications


def put_notification_configuration(self):
    group = self._get_param("AutoScalingGroupName")
    if group not in self.autoscaling_backend.autoscaling_groups:
        raise ValidationError(f"AutoScalingGroup name not found - {group}")
    topic = self._get_param("TopicARN")
    _notifications(self.autoscaling_backend)[(group, topic)] = list(self._get_param("NotificationTypes", []))
    return EmptyResult()


def describe_notification_configurations(self):
    backend = self.autoscaling_backend
    wanted = self._get_param("AutoScalingGroupNames", []) or None
    out = []
    for (group, topic), types in sorted(_notifications(backend).items()):
        if group in backend.autoscaling_groups and (wanted is None or group in wanted):
            out += [{"AutoScalingGroupName": group, "TopicARN": topic, "NotificationType": t} for t in types]
    return ActionResult({"NotificationConfigurations": out})


def delete_notification_configuration(self):
    _notifications(self.autoscaling_backend).pop((self._get_param("AutoScalingGroupName"), self._get_param("TopicARN")), None)
    return EmptyResult()


AutoScalingResponse.put_notification_configuration = put_notification_configuration
AutoScalingResponse.describe_notification_configurations = describe_notification_configurations
AutoScalingResponse.delete_notification_configuration = delete_notification_configuration


# CreateAutoScalingGroup/UpdateAutoScalingGroup drop DefaultInstanceWarmup (DescribeAutoScalingGroups
# never returns it: a perpetual "default_instance_warmup = 0 -> 300").
def _with_warmup(action):
    def wrapper(self):
        result = action(self)
        warmup = self._get_param("DefaultInstanceWarmup")
        group = self.autoscaling_backend.autoscaling_groups.get(self._get_param("AutoScalingGroupName"))
        if group is not None and warmup is not None:
            group.default_instance_warmup = int(warmup)
        return result

    return wrapper


AutoScalingResponse.create_auto_scaling_group = _with_warmup(AutoScalingResponse.create_auto_scaling_group)
AutoScalingResponse.update_auto_scaling_group = _with_warmup(AutoScalingResponse.update_auto_scaling_group)

# PutScalingPolicy drops Enabled (DescribePolicies returns false: "enabled = false -> true") and
# describes a target tracking policy with an empty PredictiveScalingConfiguration.
_put_scaling_policy = AutoScalingResponse.put_scaling_policy


def put_scaling_policy(self):
    result = _put_scaling_policy(self)
    name, group = self._get_param("PolicyName"), self._get_param("AutoScalingGroupName")
    for policy in self.autoscaling_backend.policies.values():
        if policy.name == name and policy.auto_scaling_group_name == group:
            enabled = self._get_param("Enabled")
            policy.enabled = True if enabled is None else str(enabled).lower() == "true"
            if not self._get_param("PredictiveScalingConfiguration"):
                policy.predictive_scaling_configuration = None
    return result


AutoScalingResponse.put_scaling_policy = put_scaling_policy

