"""Auto Scaling policy gaps of moto 5.2.1: policy names are per group in AWS, per region in moto."""
from moto.autoscaling.models import AutoScalingBackend
from moto.autoscaling.responses import AutoScalingResponse
from moto.core.responses import EmptyResult

# AutoScalingBackend.put_scaling_policy keeps policies by PolicyName alone (self.policies[name]), and
# DeletePolicy/ExecutePolicy find them by PolicyName alone, where AWS names a policy within its group.
# Environments beside each other (qa, staging, production of one shared load balancer) all have a
# policy "cpu-target-tracking": the second PutScalingPolicy replaced the first group's policy ("reading
# Auto Scaling Policy (cpu-target-tracking): empty result" on apply, "+ aws_autoscaling_policy" on the
# next plan of the first environment), and deleting one deleted whichever was stored last.
# Here a policy is kept by (group, name), and DeletePolicy/ExecutePolicy use the group they are given.
_put_scaling_policy = AutoScalingBackend.put_scaling_policy


def put_scaling_policy(self, name, *args, **kwargs):
    policy = _put_scaling_policy(self, name, *args, **kwargs)
    if self.policies.get(name) is policy:
        del self.policies[name]
    self.policies[(policy.auto_scaling_group_name, name)] = policy
    return policy


def _named(self):
    """The keys of the policies a request names: PolicyName (a name or an ARN) and AutoScalingGroupName."""
    name, group = self._get_param("PolicyName"), self._get_param("AutoScalingGroupName")
    if name and name.startswith("arn:"):
        # arn:...:scalingPolicy:<id>:autoScalingGroupName/<group>:policyName/<name>
        group, name = name.split(":autoScalingGroupName/", 1)[1].split(":policyName/", 1)
    return [k for k, p in self.autoscaling_backend.policies.items() if p.name == name and (group is None or p.auto_scaling_group_name == group)]


def delete_policy(self):
    for key in _named(self):
        del self.autoscaling_backend.policies[key]
    return EmptyResult()


def execute_policy(self):
    for key in _named(self):
        self.autoscaling_backend.policies[key].execute()
    return EmptyResult()


AutoScalingBackend.put_scaling_policy = put_scaling_policy
AutoScalingResponse.delete_policy = delete_policy
AutoScalingResponse.execute_policy = execute_policy
