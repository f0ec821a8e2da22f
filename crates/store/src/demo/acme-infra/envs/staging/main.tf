terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

module "network" {
  source = "../../modules/network"

  environment     = "staging"
  cidr_block      = "10.20.0.0/16"
  ssh_cidr_blocks = ["10.0.0.0/8"]
}

module "scratch_bucket" {
  source = "../../modules/bucket"

  name = "acme-staging-scratch"
}

# Two build workers reachable over SSH for debugging.
resource "aws_security_group" "build_worker" {
  count = 2

  name   = "acme-staging-build-${count.index}"
  vpc_id = module.network.vpc_id

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
