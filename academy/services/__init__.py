"""The only code that writes: each public entry point is one commit."""
