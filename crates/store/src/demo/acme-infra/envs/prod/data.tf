# Customer uploads, one bucket per region.
resource "aws_s3_bucket" "uploads" {
  for_each = toset(["eu", "us"])

  bucket = "acme-prod-uploads-${each.key}"
}

resource "aws_db_instance" "orders" {
  identifier          = "acme-prod-orders"
  engine              = "postgres"
  engine_version      = "16.3"
  instance_class      = "db.t3.medium"
  allocated_storage   = 50
  username            = "orders"
  password            = var.orders_db_password
  storage_encrypted   = false
  skip_final_snapshot = false
}

variable "orders_db_password" {
  type      = string
  sensitive = true
}
