"""The ``madoguchi`` console command: Django's management commands, with hyphens.

    madoguchi quickstart                  migrate, load bundled data, serve on 127.0.0.1:8000
    madoguchi ingest FILE --dataset SLUG  ingest one file as a new resource version
    madoguchi load-bundle                 ingest the bundled real city data
    madoguchi cleanup                     remove files no version references
    madoguchi <any Django command>        e.g. migrate, createsuperuser, runserver
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
