"""Copy the front-end files the pages use from node_modules/ into static/vendor/.

Run by `make assets` after `npm ci`; static/vendor/ is ignored by git.
"""

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = {
    "bootstrap/dist/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
    "bootstrap/dist/css/bootstrap.min.css.map": "bootstrap/bootstrap.min.css.map",
    "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap/bootstrap.bundle.min.js",
    "bootstrap/dist/js/bootstrap.bundle.min.js.map": "bootstrap/bootstrap.bundle.min.js.map",
    "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
    "echarts/dist/echarts.min.js": "echarts/echarts.min.js",
}


def main() -> None:
    for source, target in FILES.items():
        src = ROOT / "node_modules" / source
        dst = ROOT / "static" / "vendor" / target
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)


if __name__ == "__main__":
    main()
