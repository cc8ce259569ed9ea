"""Deleting an Auto Scaling group in moto 5.2.1 keeps its scaling policies.

AWS deletes a group's scaling policies with the group (DeleteAutoScalingGroup: "deletes ... the
scaling policies ... associated with the group"); moto keeps them, so after a blue/green release
deleted the original group, its policies would still read back and Terraform would plan to delete
them (a diff AWS would not show). Here they go with the group.
"""
from moto.autoscaling.models import AutoScalingBackend

_delete = AutoScalingBackend.delete_auto_scaling_group


def delete_auto_scaling_group(self, group_name):
    _delete(self, group_name)
    for key in [k for k, p in self.policies.items() if p.auto_scaling_group_name == group_name]:
        del self.policies[key]


AutoScalingBackend.delete_auto_scaling_group = delete_auto_scaling_group
