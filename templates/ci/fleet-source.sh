set -euo pipefail
# Hands this commit to the CodePipeline of {{appName}}-{{envName}}: a zip of the repository at this
# commit (buildspec.yml, appspec.yml and scripts/ at its root, copied from generated/{{envName}}/)
# under the key the pipeline's S3 source watches. The new object version starts the pipeline:
# CodeBuild builds the revision on the fleet's OS and architecture, CodeDeploy installs it
# (docs/ci-providers.md). The CI file sets ARTIFACT_BUCKET_PARAMETER and SOURCE_OBJECT_KEY.
for file in buildspec.yml appspec.yml; do
  if [[ ! -f "$file" ]]; then
    echo "$file is not at the repository root: copy generated/{{envName}}/ into the repository (docs/ci-providers.md)" >&2
    exit 1
  fi
done
archive="$(mktemp -d)/source.zip"
git archive --format=zip --output "$archive" HEAD
bucket="$(aws ssm get-parameter --name "$ARTIFACT_BUCKET_PARAMETER" --query Parameter.Value --output text)"
aws s3 cp "$archive" "s3://$bucket/$SOURCE_OBJECT_KEY" --metadata "commit={{commit}}" --no-progress
echo "Uploaded {{commit}} to s3://$bucket/$SOURCE_OBJECT_KEY: the pipeline {{appName}}-{{envName}} releases it"
