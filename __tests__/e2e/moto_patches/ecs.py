"""ECS gaps of moto 5.2.1."""
from moto.ecs import models

# DescribeCapacityProviders without names fails (TypeError, HTTP 500); AWS then describes every
# capacity provider of the account, FARGATE and FARGATE_SPOT included.
_describe_capacity_providers = models.EC2ContainerServiceBackend.describe_capacity_providers


def describe_capacity_providers(self, names=None):
    if not names:
        names = list(self.capacity_providers)
    return _describe_capacity_providers(self, names)


models.EC2ContainerServiceBackend.describe_capacity_providers = describe_capacity_providers
