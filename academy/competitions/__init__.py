"""academy.competitions."""
