"""Write the shipped default report templates (src/jiesu/reports/templates_docx/<kind>.docx)
again from jiesu.reports.documents.default_template; run after changing their layout:

    .venv/bin/python scripts/report_templates.py            # every kind
    .venv/bin/python scripts/report_templates.py meeting    # only the kinds named
"""

import os
import sys
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiesu.settings")
django.setup()

from jiesu.reports.documents import TEMPLATES, default_template  # noqa: E402
from jiesu.reports.windows import KINDS  # noqa: E402


def main(kinds: list[str]) -> None:
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown:
        raise SystemExit(f"no such report kind: {', '.join(unknown)} (kinds: {', '.join(KINDS)})")
    TEMPLATES.mkdir(exist_ok=True)
    for kind in kinds or KINDS:
        path = Path(TEMPLATES) / f"{kind}.docx"
        path.write_bytes(default_template(kind))
        print(path.name)


if __name__ == "__main__":
    main(sys.argv[1:])
