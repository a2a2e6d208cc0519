"""academy.people."""
