"""Auto Scaling group deletion with ForceDelete in moto 5.2.1.

DeleteAutoScalingGroup sets the desired capacity to 0, which only terminates instances that are not
protected from scale in, and then drops the group: instances of a group with protect_from_scale_in
(an ECS capacity provider with managed termination protection) stay running with no group, left over
after terraform destroy ("ec2 instance i-... of shop-production-capacity"). AWS deletes the group
"along with all instances associated with the group" when ForceDelete is set; scale-in protection
does not apply to deleting the group.
"""
from moto.autoscaling.responses import AutoScalingResponse

_delete = AutoScalingResponse.delete_auto_scaling_group


def delete_auto_scaling_group(self):
    backend = self.autoscaling_backend
    group = backend.autoscaling_groups.get(self._get_param("AutoScalingGroupName"))
    if group is not None and self._get_bool_param("ForceDelete", False):
        protected = [state for state in group.instance_states if state.protected_from_scale_in]
        if protected:
            backend.ec2_backend.terminate_instances([state.instance.id for state in protected])
            group.instance_states = [state for state in group.instance_states if state not in protected]
    return _delete(self)


AutoScalingResponse.delete_auto_scaling_group = delete_auto_scaling_group
