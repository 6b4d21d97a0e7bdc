"""What pyproject.toml cannot say: the top-level templates/, static/ and migrations/ travel inside
the package in a wheel, and each language's catalogue is compiled as the wheel is built."""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

# A checkout keeps these beside the package; a wheel has them as screener/templates and so on,
# where create_app looks when they are not beside it.
SHARED = ("templates", "static", "migrations")
TRANSLATIONS = Path("screener", "translations")


class BuildWithCatalogues(build_py):
    """build_py that also compiles each messages.po into the built package's messages.mo."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return  # an editable install reads the checkout's own .mo (scripts/translations)
        for po_path in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po")):
            with po_path.open("rb") as po:
                catalog = read_po(po, locale=po_path.parts[-3])
            mo_path = Path(self.build_lib, po_path.with_suffix(".mo"))
            mo_path.parent.mkdir(parents=True, exist_ok=True)
            with mo_path.open("wb") as mo:
                write_mo(mo, catalog)  # fuzzy entries left out, as `pybabel compile` does


setup(
    py_modules=["config"],
    packages=find_packages(include=["screener", "screener.*"])
    + [f"screener.{name}" for name in SHARED],
    package_dir={f"screener.{name}": name for name in SHARED},
    package_data={f"screener.{name}": ["**/*"] for name in SHARED},
    exclude_package_data={"": ["*.pyc"]},
    include_package_data=False,
    cmdclass={"build_py": BuildWithCatalogues},
)
