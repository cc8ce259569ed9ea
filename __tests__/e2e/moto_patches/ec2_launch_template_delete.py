"""EC2 launch template deletion in moto 5.2.1: the error code for a template ID that does not exist."""
from moto.ec2.exceptions import InvalidLaunchTemplateIdNotFound
from moto.ec2.models.launch_templates import LaunchTemplateBackend

# DeleteLaunchTemplate with a LaunchTemplateId that does not exist raises
# InvalidLaunchTemplateName.NotFoundException (the code for a *name*); AWS answers
# InvalidLaunchTemplateId.NotFound, the one code the AWS provider's delete takes for "already gone".
# Symptom (terraform-cloud case, cdktf destroy of two stacks side by side): "Error: deleting EC2 Launch
# Template (lt-...): ... InvalidLaunchTemplateName.NotFoundException" when a DeleteLaunchTemplate that
# moto had carried out was sent again (the AWS SDK resends a request whose connection was reset), where
# AWS's answer would have ended the destroy cleanly.
_delete_launch_template = LaunchTemplateBackend.delete_launch_template


def delete_launch_template(self, name, tid):
    if not name and tid and tid not in self.launch_templates:
        raise InvalidLaunchTemplateIdNotFound(tid)
    return _delete_launch_template(self, name, tid)


LaunchTemplateBackend.delete_launch_template = delete_launch_template
