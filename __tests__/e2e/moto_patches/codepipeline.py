"""CodePipeline gaps of moto 5.2.1."""
from moto.codepipeline import models

# Pipeline metadata created/updated come back as ISO strings; the API and the provider's SDK expect
# epoch seconds ("expected Timestamp to be a JSON Number, got string instead").
_metadata = models.CodePipeline.metadata.fget


def _metadata_epoch(self):
    out = dict(_metadata(self))
    out["created"] = self._created.timestamp()
    out["updated"] = self._updated.timestamp()
    return out


models.CodePipeline.metadata = property(_metadata_epoch)
