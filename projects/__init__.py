"""Poverty-alleviation projects: stages, funds, beneficiaries, approvals, disclosures."""
