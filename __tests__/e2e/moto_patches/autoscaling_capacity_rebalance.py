"""UpdateAutoScalingGroup of moto 5.2.1 ignores CapacityRebalance (CreateAutoScalingGroup takes it).

Terraform turning `capacity_rebalance` off, or the fleet reconciler setting it on a copy, would then
leave the old value: a perpetual diff, and a check_fleet that cannot see the reconciler's update.
"""
from moto.autoscaling.responses import AutoScalingResponse

_update = AutoScalingResponse.update_auto_scaling_group


def update_auto_scaling_group(self):
    result = _update(self)
    value = self._get_param("CapacityRebalance")
    group = self.autoscaling_backend.autoscaling_groups.get(self._get_param("AutoScalingGroupName"))
    if group is not None and value is not None:
        group.capacity_rebalance = str(value).lower() == "true"
    return result


AutoScalingResponse.update_auto_scaling_group = update_auto_scaling_group
