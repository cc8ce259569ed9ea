"""EC2 gaps of moto 5.2.1 for single instances (aws_instance: the host, the bastion)."""
from moto.ec2.models import elastic_network_interfaces, instances
from moto.ec2.responses.instances import InstanceResponse

# RunInstances with NetworkInterfaces=[{DeviceIndex: 0, Groups: [...]}] (what the provider sends
# for an aws_instance with an explicit associate_public_ip_address) gives the groups to the primary
# network interface only: DescribeInstances then reports no SecurityGroups for the instance, where
# EC2 reports the primary interface's groups ("vpc_security_group_ids = [] -> [sg-...]", a perpetual
# replacement of the host and the bastion).
_prep_nics = instances.Instance.prep_nics


def prep_nics(self, *args, **kwargs):
    _prep_nics(self, *args, **kwargs)
    primary = getattr(self, "nics", {}).get(0)
    if not self.security_groups and primary is not None and primary._group_set:
        self.security_groups = list(primary._group_set)


instances.Instance.prep_nics = prep_nics

# RunInstances ignores DisableApiTermination (it never reaches the instance, and
# DescribeInstanceAttribute disableApiTermination answers false): a perpetual
# "disable_api_termination = false -> true" on a protected host.
_run_instances = InstanceResponse.run_instances


def run_instances(self):
    result = _run_instances(self)
    disable = self._get_param("DisableApiTermination")
    if disable is not None:
        for instance in result.result.instances:
            instance.disable_api_termination = str(disable).lower() == "true"
    return result


InstanceResponse.run_instances = run_instances

# A network interface without a public address is described with "Association": {} (an empty
# dict, not no association): the provider reads associate_public_ip_address as "the primary
# interface has an association", so a bastion in a private subnet read back true, a perpetual
# "associate_public_ip_address = true -> false # forces replacement".
_association = elastic_network_interfaces.NetworkInterface.association.fget
elastic_network_interfaces.NetworkInterface.association = property(lambda self: _association(self) or None)
