"""PutWarmPool on a group with a mixed instances policy, which moto 5.2.1 accepts.

AWS: "This operation cannot be called on an Auto Scaling group that has a mixed instances policy or a
launch template or launch configuration that requests Spot Instances"
(https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutWarmPool.html). The configuration
refuses fleet.warmPool with fleet.purchase; this keeps the tier as strict as AWS if that rule goes.
"""
from moto.autoscaling.exceptions import ValidationError
from moto.autoscaling.responses import AutoScalingResponse

_put_warm_pool = AutoScalingResponse.put_warm_pool


def put_warm_pool(self):
    group = self.autoscaling_backend.autoscaling_groups.get(self._get_param("AutoScalingGroupName"))
    if group is not None and group.mixed_instances_policy:
        raise ValidationError("You can't add a warm pool to an Auto Scaling group that has a mixed instances policy or that launches Spot Instances.")
    return _put_warm_pool(self)


AutoScalingResponse.put_warm_pool = put_warm_pool
