"""CloudFront gaps of moto 5.2.1 met by the static front end (S3 origin with origin access control)."""
from moto.cloudfront import models as cloudfront_models

# An origin's OriginAccessControlId is dropped (Origin.__init__ keeps only the S3 OAI): the
# distribution reads back without it, a perpetual "origin { + origin_access_control_id = ... }".
_origin_init = cloudfront_models.Origin.__init__


def _origin(self, origin):
    _origin_init(self, origin)
    self.origin_access_control_id = origin.get("OriginAccessControlId") or ""


cloudfront_models.Origin.__init__ = _origin

# ViewerCertificate reports SSLSupportMethod "sni-only" when the request has none, also with the
# CloudFront default certificate, where CloudFront returns no SSLSupportMethod: a perpetual
# "- ssl_support_method = "sni-only" -> null" on a distribution without its own domain.
_certificate_init = cloudfront_models.ViewerCertificate.__init__


def _certificate(self, config):
    _certificate_init(self, config)
    if not config.get("SSLSupportMethod") and not (config.get("ACMCertificateArn") or config.get("IAMCertificateId")):
        self.ssl_support_method = None


cloudfront_models.ViewerCertificate.__init__ = _certificate
