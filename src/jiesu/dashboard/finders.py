"""ECharts, installed from npm by `make setup` (package-lock.json), served by jiesu itself as
static/echarts/echarts.min.js: government intranets have no internet, so no CDN."""

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Warning as CheckWarning
from django.core.files.storage import FileSystemStorage

# The one file of the npm package the pages load, under the name they load it by.
SERVED = {"echarts/echarts.min.js": "echarts/dist/echarts.min.js"}


def node_modules():
    return settings.BASE_DIR / "node_modules"


class NodeModulesFinder(BaseFinder):
    """Finds the files of SERVED in node_modules, and nothing else there."""

    def check(self, **kwargs):
        missing = [
            name for name, source in SERVED.items() if not (node_modules() / source).exists()
        ]
        if missing:
            return [
                CheckWarning(
                    f"缺少前端文件 {', '.join(missing)}:请运行 `make setup`(npm ci)。",
                    id="dashboard.W001",
                )
            ]
        return []

    def find(self, path, find_all=False, **kwargs):
        source = SERVED.get(path)
        if source is None or not (node_modules() / source).exists():
            return []  # as Django's own finders answer "not here"
        found = str(node_modules() / source)
        return [found] if find_all else found

    def list(self, ignore_patterns):
        for name, source in SERVED.items():
            if (node_modules() / source).exists():
                yield name, _Renamed(name, node_modules() / source)


class _Renamed(FileSystemStorage):
    """A storage holding one file under another name (collectstatic copies it from here)."""

    def __init__(self, name, source):
        super().__init__(location=str(source.parent))
        self._name, self._source = name, source

    def path(self, name):
        return str(self._source) if name == self._name else super().path(name)

    def open(self, name, mode="rb"):
        return super().open(self._source.name if name == self._name else name, mode)
