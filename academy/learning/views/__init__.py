"""academy.learning.views."""
