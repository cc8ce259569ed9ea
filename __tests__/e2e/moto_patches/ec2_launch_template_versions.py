"""CreateLaunchTemplateVersion of moto 5.2.1 keeps UserData as the plain request string, where
CreateLaunchTemplate wraps it (parse_user_data); launching from such a version then fails moto's own
assertion (LaunchTemplateVersion.user_data: "assert isinstance(user_data, Base64EncodedString)"), a
500 for any group that scales out from the template's new version after Terraform changed it.
Here a new version's user data is wrapped as the first version's is.
"""
from moto.ec2.responses.launch_templates import LaunchTemplates
from moto.ec2.utils import parse_user_data

_create_version = LaunchTemplates.create_launch_template_version
_get_param = LaunchTemplates._get_param


def create_launch_template_version(self):
    def get_param(name, *args, **kwargs):
        value = _get_param(self, name, *args, **kwargs)
        if name == "LaunchTemplateData" and isinstance(value, dict) and isinstance(value.get("UserData"), str):
            value["UserData"] = parse_user_data(value["UserData"])
        return value

    self._get_param = get_param
    try:
        return _create_version(self)
    finally:
        del self._get_param


LaunchTemplates.create_launch_template_version = create_launch_template_version
