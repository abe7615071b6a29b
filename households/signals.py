"""Signals of the registry for other apps.

`registry_changed` is sent after bulk writes to households, members or measures (the roster import,
the demo), which send no post_save: `households`, the ids of the households written, and
optionally `villages`, ids of villages whose households changed (one a household moved out of).
"""

from django.dispatch import Signal

registry_changed = Signal()
