"""EC2 security group rule gaps of moto 5.2.1 for rules that reference a managed prefix list."""
from moto.ec2.models import security_groups

# SecurityGroupRule keeps only the PrefixListId of a prefix list rule and drops its Description, so
# DescribeSecurityGroupRules returns none: a perpetual "+ description" on an
# aws_vpc_security_group_ingress_rule from a prefix list (the ALB's HTTPS from CloudFront's
# origin-facing prefix list). Kept beside the rule and described when nothing else describes it.
_rule_init = security_groups.SecurityGroupRule.__init__
_description = security_groups.SecurityGroupRule.description


def _rule(self, *args, **kwargs):
    _rule_init(self, *args, **kwargs)
    prefix_list = kwargs.get("prefix_list_id", args[7] if len(args) > 7 else None)
    self._e2e_prefix_list_description = (prefix_list or {}).get("Description")


security_groups.SecurityGroupRule.__init__ = _rule
security_groups.SecurityGroupRule.description = property(
    lambda self: _description.fget(self) or getattr(self, "_e2e_prefix_list_description", None)
)
