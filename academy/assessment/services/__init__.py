"""academy.assessment.services."""
