"""Elastic Load Balancing gaps of moto 5.2.1: deletion protection."""
from moto.elbv2.exceptions import ELBClientError
from moto.elbv2.models import ELBv2Backend

# DeleteLoadBalancer deletes a load balancer whose deletion_protection.enabled is true; AWS refuses
# with OperationNotPermitted. Without this the tier would pass `terraform destroy` of a protected
# environment (protection: true), which AWS stops by design.
_delete_load_balancer = ELBv2Backend.delete_load_balancer


def delete_load_balancer(self, arn):
    balancer = self.load_balancers.get(arn)
    if balancer is not None and str(balancer.attrs.get("deletion_protection.enabled", "false")).lower() == "true":
        raise ELBClientError(
            "OperationNotPermitted",
            f"Load balancer '{arn}' cannot be deleted because deletion protection is enabled",
        )
    _delete_load_balancer(self, arn)


ELBv2Backend.delete_load_balancer = delete_load_balancer
