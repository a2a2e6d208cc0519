"""academy.assessment.models."""
