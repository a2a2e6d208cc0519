"""academy.learning."""
