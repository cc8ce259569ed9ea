import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { Construct } from "constructs";
import { pin } from "../lib/address";

const RESOLVE_SSM = "resolve:ssm:";

/**
 * The `ami` of an `aws_instance` that has a `root_block_device`. EC2 resolves `resolve:ssm:<parameter>`
 * only where an instance is launched (RunInstances, launch templates), but the provider first looks
 * up the image's root device name with `DescribeImages`, which refuses the alias
 * (`InvalidAMIID.Malformed: Invalid id: "resolve:ssm:..." (expecting "ami-...")`,
 * hashicorp/terraform-provider-aws#43488): such an instance can never be created. The parameter is
 * therefore read by a data source (`data.aws_ssm_parameter.<owner>_image`, a public String
 * parameter, so `insecure_value`), and the instance gets the AMI ID. Anything else (an `ami-...` ID,
 * a reference to a golden image) is passed through. The instances ignore later changes of `ami`,
 * so a newer image under the parameter never replaces them.
 */
export function instanceImageId(owner: Construct, imageId: string): string {
  if (!imageId.startsWith(RESOLVE_SSM)) return imageId;
  const parameter = pin(owner, new DataAwsSsmParameter(owner, "image", { name: imageId.slice(RESOLVE_SSM.length) }), "image");
  return parameter.insecureValue;
}
