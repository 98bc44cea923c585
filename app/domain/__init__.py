"""Records, enums, validation, wire format and user-facing messages (no Qt, SQL or HTTP)."""
