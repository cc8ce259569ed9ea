"""CloudFront distribution gaps of moto 5.2.1."""
from moto.cloudfront import models as cloudfront_models

# DefaultCacheBehaviour (and CacheBehaviour) always store a ForwardedValues (QueryString false, cookies
# "none"), also for a behaviour that names a CachePolicyId and sends none, where CloudFront returns
# no ForwardedValues: a perpetual "- forwarded_values { ... } -> null" on every cache behaviour.
_behaviour_init = cloudfront_models.DefaultCacheBehaviour.__init__


def _behaviour(self, config):
    _behaviour_init(self, config)
    if "ForwardedValues" not in config and config.get("CachePolicyId"):
        self.forwarded_values = None


cloudfront_models.DefaultCacheBehaviour.__init__ = _behaviour

# ViewerCertificate defaults CloudFrontDefaultCertificate to true when the request omits it, also for
# a viewer certificate from ACM (ACMCertificateArn) or IAM, where CloudFront returns false: a perpetual
# "- cloudfront_default_certificate = true -> null" on a distribution with its own certificate.
_certificate_init = cloudfront_models.ViewerCertificate.__init__


def _certificate(self, config):
    _certificate_init(self, config)
    if "CloudFrontDefaultCertificate" not in config and (config.get("ACMCertificateArn") or config.get("IAMCertificateId")):
        self.cloud_front_default_certificate = False


cloudfront_models.ViewerCertificate.__init__ = _certificate
