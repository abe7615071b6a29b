"""Pledges, inspections, findings and their rectification, monthly notices."""
