"""Signals of the registry for other apps.

`registry_changed` is sent after bulk writes to households or members (the roster import), which
send no post_save: `households`, the ids of the households written, and optionally `villages`,
the ids of villages whose households changed (including one a household moved out of).
"""

from django.dispatch import Signal

registry_changed = Signal()
