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

  environment     = "prod"
  cidr_block      = "10.10.0.0/16"
  ssh_cidr_blocks = ["0.0.0.0/0"]
}

module "logs_bucket" {
  source = "../../modules/bucket"

  name              = "acme-prod-logs"
  versioning_status = "Enabled"
}

module "invoices_bucket" {
  source = "../../modules/bucket"

  name       = "acme-prod-invoices"
  log_bucket = module.logs_bucket.id
}
