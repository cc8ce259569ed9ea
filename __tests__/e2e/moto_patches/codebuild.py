"""CodeBuild gaps of moto 5.2.1."""
from moto.codebuild import responses

# CreateProject insists on source.location and artifacts.location for every type ("Project source
# location is required"); AWS requires them only where they mean something, not for CODEPIPELINE or
# NO_SOURCE sources nor CODEPIPELINE artifacts.
_source = responses._validate_required_params_source
_artifacts = responses._validate_required_params_artifacts


def _validate_source(source):
    if source.get("type") in ("CODEPIPELINE", "NO_SOURCE") and not source.get("location"):
        return
    _source(source)


def _validate_artifacts(artifacts):
    if artifacts.get("type") == "CODEPIPELINE" and not artifacts.get("location"):
        return
    _artifacts(artifacts)


responses._validate_required_params_source = _validate_source
responses._validate_required_params_artifacts = _validate_artifacts

# CreateProject ignores encryptionKey and always reports alias/aws/s3: a perpetual diff on a project
# encrypted with the environment's own key.
from moto.codebuild.responses import CodeBuildResponse

_create_project = CodeBuildResponse.create_project


def create_project(self):
    result = _create_project(self)
    key = self._get_param("encryptionKey")
    if key:
        project = self.codebuild_backend.codebuild_projects[self._get_param("name")]
        project.project_metadata["encryptionKey"] = key
    return result


CodeBuildResponse.create_project = create_project

# DeleteProject finds a project only by name; the provider deletes by ARN (which AWS accepts), so
# moto keeps the project after `terraform destroy`.
from moto.codebuild import models as codebuild_models

_delete_project = codebuild_models.CodeBuildBackend.delete_project


def delete_project(self, project_name):
    _delete_project(self, project_name.split(":project/")[-1])


codebuild_models.CodeBuildBackend.delete_project = delete_project
