variable "environment" {
  type = string
}

variable "cidr_block" {
  type = string
}

variable "ssh_cidr_blocks" {
  description = "Who may reach the bastion over SSH."
  type        = list(string)
}
