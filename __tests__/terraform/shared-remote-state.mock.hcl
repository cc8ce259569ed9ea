# Outputs of the shared load balancer stack, as environments in shared mode read them through
# data.terraform_remote_state.shared. Prepended to every suite run on such a stack.
# requires: data.terraform_remote_state.shared

override_data {
  target = data.terraform_remote_state.shared
  values = {
    outputs = {
      vpc_id                = "vpc-0a1b2c3d4e5f60718"
      vpc_cidr              = "10.50.0.0/16"
      public_subnet_ids     = ["subnet-0aaa0000000000001", "subnet-0aaa0000000000002"]
      private_subnet_ids    = ["subnet-0bbb0000000000001", "subnet-0bbb0000000000002"]
      data_subnet_ids       = []
      alb_arn               = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/portal-shared-alb/50dc6c495c0c9188"
      alb_arn_suffix        = "app/portal-shared-alb/50dc6c495c0c9188"
      alb_dns_name          = "portal-shared-alb-123456789.eu-west-1.elb.amazonaws.com"
      alb_zone_id           = "Z32O12XQLNTSW2"
      alb_security_group_id = "sg-0123456789abcdef0"
      service_listener_arn  = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/portal-shared-alb/50dc6c495c0c9188/f2f7dc8efc522ab2"
    }
  }
}
