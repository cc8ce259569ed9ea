"""EC2 gaps of moto 5.2.1."""
from moto.ec2.models import launch_templates, security_groups

# CreateLaunchTemplate copies the template's own tags (TagSpecifications of resource type
# launch-template, on the request) into the template data's TagSpecifications, which AWS keeps apart:
# a perpetual "- tag_specifications { resource_type = "launch-template" }".
_version_init = launch_templates.LaunchTemplateVersion.__init__


def _version(self, template, number, data, description):
    specs = data.get("TagSpecifications")
    if specs:
        data = {**data, "TagSpecifications": [s for s in specs if s.get("ResourceType") != "launch-template"]}
        if not data["TagSpecifications"]:
            del data["TagSpecifications"]
    _version_init(self, template, number, data, description)


launch_templates.LaunchTemplateVersion.__init__ = _version

# DescribeSecurityGroupRules reports a rule's description only for CIDR rules; for a rule that
# references a security group it is kept in the group pair and lost ("+ description" on every plan).
security_groups.SecurityGroupRule.description = property(
    lambda self: self.ip_range.get("Description") or (self.source_group or {}).get("Description")
)
