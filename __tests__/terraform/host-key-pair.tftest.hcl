# Host stacks with host.publicKey: the imported key pair is the instance's.
# requires: aws_key_pair.host_key_pair aws_instance.host_instance

run "plan_key_pair" {
  command = plan

  assert {
    condition     = can(regex("^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa) [A-Za-z0-9+/]+={0,2}( .*)?$", aws_key_pair.host_key_pair.public_key))
    error_message = "The key pair must be imported from an OpenSSH public key."
  }
  assert {
    condition     = aws_instance.host_instance.key_name == aws_key_pair.host_key_pair.key_name
    error_message = "The host must use the imported key pair."
  }
}
