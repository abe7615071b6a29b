"""Users, their role and their areas (jurisdiction), and the role permission backend.

Kept apart from villages/ because every app depends on who the user is, while villages/ is
only one of the domains; villages/ must not import it.
"""
