variable "name" {
  description = "Globally unique bucket name."
  type        = string
}

variable "versioning_status" {
  description = "Enabled or Suspended."
  type        = string
  default     = "Suspended"
}

variable "log_bucket" {
  description = "Bucket receiving server access logs; empty disables logging."
  type        = string
  default     = ""
}

variable "tags" {
  type    = map(string)
  default = {}
}
