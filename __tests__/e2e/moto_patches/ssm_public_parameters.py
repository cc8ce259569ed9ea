"""SSM parameter gaps of moto 5.2.1: AWS's public parameters."""
from moto.ssm import models as ssm_models

# DescribeParameters lists AWS's public parameters (/aws/service/ami-amazon-linux-latest/...) once
# something has read one of them (moto loads them into the account's own store); Systems Manager lists
# only the account's parameters. A stack that reads the Amazon Linux image parameter
# (data.aws_ssm_parameter.host_image) then "left" ten /aws/service parameters in the inventory.
_describe_parameters = ssm_models.SimpleSystemManagerBackend.describe_parameters


def describe_parameters(self, *args, **kwargs):
    return [p for p in _describe_parameters(self, *args, **kwargs) if not p.name.startswith("/aws/")]


ssm_models.SimpleSystemManagerBackend.describe_parameters = describe_parameters
