"""gunicorn's access log masks the ID numbers a GET search carries (issue 28 item 6)."""

import datetime
from types import SimpleNamespace

from gunicorn.config import Config

from poverty.personal.logs import ScrubbedLogger, scrub
from tests.poverty.test_gunicorn_conf import load as load_conf

NUMBER = "11010519491231002X"


def test_a_searched_number_is_masked_in_the_request_line_query_and_referer():
    config = Config()
    config.set("accesslog", "-")
    logger = ScrubbedLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/registry/households/?q={NUMBER}&page=2",
        "PATH_INFO": "/registry/households/",
        "QUERY_STRING": f"q={NUMBER}&page=2",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"http://fupin/registry/households/?q={NUMBER.lower()}",
        "REMOTE_ADDR": "10.0.0.8",
    }
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    atoms = logger.atoms(response, request, environ, datetime.timedelta(milliseconds=40))
    line = config.access_log_format % atoms
    assert NUMBER not in line and NUMBER.lower() not in line
    assert "1101**********002X" in line and "page=2" in line
    assert all(NUMBER.lower() not in str(v).lower() for v in atoms.values())


def test_only_whole_id_numbers_are_masked():
    assert scrub("q=110105194912310021") == "q=1101**********0021"
    assert scrub("legacy=110105491231002") == "legacy=1101*******1002"
    assert scrub("phone=13912345678&page=12") == "phone=13912345678&page=12"
    assert scrub("id=1101051949123100211") == "id=1101051949123100211"  # 19 digits: not one


def test_gunicorn_is_configured_with_it():
    conf = load_conf()
    assert conf.logger_class == "poverty.personal.logs.ScrubbedLogger"
