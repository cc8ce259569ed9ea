"""Route 53 hosted zone gaps of moto 5.2.1."""
from moto.route53 import models as route53_models

# CreateHostedZone makes ids of 22 random letters and digits (create_route53_zone_id), where Route 53's
# begin with "Z" (Z1RWWTK7Y8UDDQ, as moto's own comment says). The configuration validates a zone id
# as /^Z[A-Z0-9]{4,32}$/, so a fixture zone failed synthesis ("allowed: a Route53 hosted zone ID").
_generate = route53_models.HostedZoneIdentifier.generate


def _zone_id(self, existing_ids=None, tags=None):
    zone_id = _generate(self, existing_ids=existing_ids, tags=tags)
    return zone_id if zone_id.startswith("Z") else f"Z{zone_id[1:]}"


route53_models.HostedZoneIdentifier.generate = _zone_id
