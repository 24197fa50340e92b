"""The plan every rule's VALID/INVALID examples are checked against (also shown in the docs)."""

EXAMPLE_PLAN = """\
version: 1
identify:
  properties:
    email: {type: string, format: email}
    plan: {$ref: "#/$defs/plan"}
    created_at: {type: integer, description: Unix seconds}
  required: [email]
group:
  properties:
    name: {type: string}
    seats: {type: integer, minimum: 1}
events:
  Signed Up:
    properties:
      plan: {$ref: "#/$defs/plan"}
      referrer: {type: [string, "null"]}
    required: [plan]
  Order Completed:
    properties:
      order_id: {type: string}
      total: {type: number, minimum: 0}
    required: [order_id, total]
  Trial Started: {}
  Trial Extended:
    deprecated: true
    x-replaced-by: Trial Started
$defs:
  plan: {enum: [free, pro, enterprise]}
"""
