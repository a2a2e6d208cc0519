"""academy.competitions.views."""
