"""The value types and Protocols the domain depends on; every provider implements them."""
