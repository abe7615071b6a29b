"""Access logs without full ID numbers. A search by 身份证号 is a GET (the list, the household
search box, the API's ?q=), so the number would be written into gunicorn's access log, and into
the referer of the next request's line. Every value of a log line is masked as the pages mask
numbers (1410**********1234). gunicorn.conf.py names the logger."""

from __future__ import annotations

import re

from gunicorn.glogging import Logger

from .masking import mask_id_number

# An 18-character number (the last may be X) or a legacy 15-digit one, not inside a longer run.
ID_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9Xx])")


def scrub(text: str) -> str:
    return ID_NUMBER.sub(lambda found: mask_id_number(found.group()), text)


class ScrubbedLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: scrub(v) if isinstance(v, str) else v for k, v in atoms.items()}
