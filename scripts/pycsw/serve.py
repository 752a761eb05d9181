"""A throwaway pycsw catalogue for the harvest tests: CSW 2.0.2 and OAI-PMH on 127.0.0.1.

Run with the Python of pycsw's own virtualenv (scripts/test makes it; pycsw's dependencies clash with
govcat's), never govcat's:

    serve.py WORKDIR RECORDS_DIR

It writes a configuration and an SQLite repository into WORKDIR, loads every ISO 19139 / Dublin Core
file of RECORDS_DIR into it, binds a free port on 127.0.0.1, writes the service's address to
WORKDIR/url (the last thing it does before serving, so a reader knows the records are in) and serves
until it is stopped (SIGTERM).  Requests are logged to WORKDIR/requests.log, pycsw's own log to
WORKDIR/pycsw.log.
"""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

PAGE_SIZE = 3    # pycsw's maxrecords: small, so that both protocols page through the fixtures
# No gzip_compresslevel: pycsw 2.6 then answers uncompressed.  With it, it compresses the body but
# keeps the uncompressed Content-Length, and clients read a cut answer.

CONFIG = """\
[server]
home={home}
url={url}
mimetype=application/xml; charset=UTF-8
encoding=UTF-8
language=en-US
maxrecords={page_size}
loglevel=WARNING
logfile={home}/pycsw.log
pretty_print=true
domainquerytype=list
domaincounts=false
profiles=apiso

[manager]
transactions=false
allowed_ips=127.0.0.1

[metadata:main]
identification_title=govcat test geoportal
identification_abstract=Fixture records for govcat's harvest tests
identification_keywords=test
identification_keywords_type=theme
identification_fees=None
identification_accessconstraints=None
provider_name=govcat tests
provider_url=http://127.0.0.1/
contact_name=govcat tests
contact_position=none
contact_address=none
contact_city=none
contact_stateorprovince=none
contact_postalcode=000000
contact_country=none
contact_phone=+00-000-000
contact_fax=+00-000-000
contact_email=tests@example.org
contact_url=http://127.0.0.1/
contact_hours=always
contact_instructions=none
contact_role=pointOfContact

[repository]
database=sqlite:///{home}/records.db
table=records

[metadata:inspire]
enabled=false
"""


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class LoggingHandler(WSGIRequestHandler):
    def log_message(self, format, *args):      # noqa: A002 (the standard library's name)
        with open(self.server.request_log, "a", encoding="utf-8") as log:
            log.write("%s %s\n" % (self.log_date_time_string(), format % args))


def main(workdir: str, records: str) -> None:
    home = Path(workdir).resolve()
    server = make_server("127.0.0.1", 0, lambda env, start: app(env, start),
                         server_class=ThreadingServer, handler_class=LoggingHandler)
    server.request_log = str(home / "requests.log")
    url = f"http://127.0.0.1:{server.server_port}/csw"
    config = home / "pycsw.cfg"
    config.write_text(CONFIG.format(home=home, url=url, page_size=PAGE_SIZE), encoding="utf-8")
    os.environ["PYCSW_CONFIG"] = str(config)

    from pycsw.core import admin, config as pycsw_config
    from pycsw import wsgi
    database = f"sqlite:///{home}/records.db"
    admin.setup_db(database, "records", str(home))
    admin.load_records(pycsw_config.StaticContext(), database, "records", str(Path(records).resolve()))
    app = wsgi.application

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    (home / "url.tmp").write_text(url + "\n", encoding="utf-8")
    (home / "url.tmp").rename(home / "url")
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
