"""UpdateAutoScalingGroup of moto 5.2.1 without MixedInstancesPolicy drops the group's policy.

moto sets the group's mixed_instances_policy to the request's (None when absent): any update of a group
with a mixed instances policy (Terraform changing max_size, the fleet reconciler's update of a copy)
leaves a group that describes no policy and no launch template. AWS changes only what the request
names (UpdateAutoScalingGroup: "Updates the configuration for the specified Auto Scaling group ...
only the parameters you specify"), so the policy stays.
"""
from moto.autoscaling.responses import AutoScalingResponse

_update = AutoScalingResponse.update_auto_scaling_group


def update_auto_scaling_group(self):
    group = self.autoscaling_backend.autoscaling_groups.get(self._get_param("AutoScalingGroupName"))
    kept = group.mixed_instances_policy if group is not None else None
    named = self._get_param("MixedInstancesPolicy") is not None or bool(self._get_param("LaunchTemplate")) or self._get_param("LaunchConfigurationName") is not None
    result = _update(self)
    if group is not None and kept is not None and not named:
        group.mixed_instances_policy = kept
    return result


AutoScalingResponse.update_auto_scaling_group = update_auto_scaling_group
