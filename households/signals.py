"""Signals of the registry for other apps.

`registry_changed` is sent after bulk writes to households or members (the roster import), which
send no post_save: `villages`, the ids of villages whose households or members changed (including
one a household moved out of), and `households`, ids of changed households whose villages the
sender did not list (the roster lists every village, so it sends none).
"""

from django.dispatch import Signal

registry_changed = Signal()
