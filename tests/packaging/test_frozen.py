"""The packaging files agree with each other and with pyproject.toml.

These are fast checks of the files in packaging/ and resources/icons/. The frozen build itself
is slow, so it is built and smoke-tested by ``make package`` (packaging/build.py), not here.
"""

from __future__ import annotations

import ast
import configparser
import fnmatch
import importlib.util
import re
import shutil
import struct
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
ICONS = ROOT / "resources" / "icons"


def load(name: str) -> ModuleType:
    """A module of packaging/ by file path (packaging/ is not, and must not be, a package)."""
    spec = importlib.util.spec_from_file_location(f"rethink_{name}", PACKAGING / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def info() -> ModuleType:
    return load("buildinfo")


@pytest.fixture(scope="module")
def version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["project"]["version"]


# --- the spec ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spec_tree() -> ast.Module:
    source = (PACKAGING / "rethink.spec").read_text(encoding="utf-8")
    compile(source, "rethink.spec", "exec")
    return ast.parse(source)


def spec_literal(tree: ast.Module, name: str) -> list[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"rethink.spec does not assign {name}")


def spec_calls(tree: ast.Module, func: str) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == func
    ]


def keyword_source(call: ast.Call, name: str) -> str:
    for keyword in call.keywords:
        if keyword.arg == name:
            return ast.unparse(keyword.value)
    raise AssertionError(f"{ast.unparse(call.func)}() has no {name}=")


def test_spec_excludes_what_the_app_does_not_use(spec_tree):
    excludes = set(spec_literal(spec_tree, "EXCLUDES"))
    must = {
        "PySide6.QtQml",
        "PySide6.QtQuick",
        "PySide6.QtWebEngineCore",
        "PySide6.QtWebEngineWidgets",
        "PySide6.Qt3DCore",
        "PySide6.QtMultimedia",
        "PySide6.QtNetwork",
        "tkinter",
        "unittest",
        "pydoc",
        "pytest",
        "hypothesis",
    }
    assert must <= excludes, f"missing excludes: {sorted(must - excludes)}"
    # QtGui carries QPdfWriter (the PDF export) and QtSvg draws the icon: both must stay.
    assert not {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets"} & excludes
    (analysis,) = spec_calls(spec_tree, "Analysis")
    assert keyword_source(analysis, "excludes") == "EXCLUDES"


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_the_app_imports_nothing_the_spec_excludes(spec_tree):
    # An import of an excluded module would pass every test and break only the frozen app.
    excludes = spec_literal(spec_tree, "EXCLUDES")
    clashes = []
    for path in sorted((ROOT / "rethink_desktop").rglob("*.py")):
        for name in imported_modules(path):
            hit = [ex for ex in excludes if name == ex or name.startswith(ex + ".")]
            if hit:
                clashes.append(f"{path.relative_to(ROOT)} imports {name} (excluded: {hit[0]})")
    assert not clashes, "\n".join(clashes)


def test_spec_maps_resources_where_the_package_looks_first(spec_tree):
    from rethink_desktop.core import resources

    expected = (resources._PACKAGE_DIR / "resources").relative_to(resources._PACKAGE_DIR.parent)
    mapping = next(
        node.value
        for node in spec_tree.body
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "RESOURCES"
    )
    source = ast.unparse(mapping)
    assert "ROOT / 'resources'" in source
    assert f"'{expected.as_posix()}'" in source
    (analysis,) = spec_calls(spec_tree, "Analysis")
    datas = keyword_source(analysis, "datas")
    assert "RESOURCES" in datas
    # --version and `check` read package metadata.
    assert "copy_metadata('rethink-desktop')" in datas


def test_spec_builds_one_windowed_folder_named_for_the_app(spec_tree, info):
    assert info.APP_NAME == "rethink-desktop"
    (collect,) = spec_calls(spec_tree, "COLLECT")
    assert keyword_source(collect, "name") == "info.APP_NAME"
    (exe,) = spec_calls(spec_tree, "EXE")
    assert keyword_source(exe, "exclude_binaries") == "True"  # one folder, not one file
    assert keyword_source(exe, "version") == "version_file"
    calls = [ast.unparse(c) for c in spec_calls(spec_tree, "executable")]
    assert "executable(info.APP_NAME, console=False)" in calls
    (bundle,) = spec_calls(spec_tree, "BUNDLE")
    assert keyword_source(bundle, "bundle_identifier") == "info.APP_ID"
    assert keyword_source(bundle, "info_plist") == "info.info_plist(VERSION)"


def test_spec_drops_only_plugins_the_app_does_not_need(spec_tree):
    dropped = spec_literal(spec_tree, "DROPPED_QT_PLUGINS")

    def gone(plugin: str) -> bool:
        return any(fnmatch.fnmatch(plugin, pattern) for pattern in dropped)

    for needed in (
        "platforms/libqxcb.so",
        "platforms/libqwayland.so",
        "platforms/libqoffscreen.so",  # the smoke test
        "platforms/qwindows.dll",
        "platforms/libqcocoa.dylib",
        "imageformats/libqsvg.so",
        "iconengines/libqsvgicon.so",
        "platforminputcontexts/libibusplatforminputcontextplugin.so",
        "styles/qmodernwindowsstyle.dll",
    ):
        assert not gone(needed), needed
    assert "opengl32sw.dll" in spec_literal(spec_tree, "DROPPED_BINARIES")
    for unneeded in (
        "platformthemes/libqgtk3.so",
        "platforms/libqvnc.so",
        "tls/qopensslbackend.dll",
    ):
        assert gone(unneeded), unneeded


def test_launcher_runs_the_same_main_as_the_installed_command():
    tree = ast.parse((PACKAGING / "launcher.py").read_text(encoding="utf-8"))
    assert "rethink_desktop.cli.main" in imported_modules(PACKAGING / "launcher.py")
    assert "sys.exit(main())" in ast.unparse(tree)
    with (ROOT / "pyproject.toml").open("rb") as f:
        scripts = tomllib.load(f)["project"]["gui-scripts"]
    assert scripts["rethink-desktop"] == "rethink_desktop.cli:main"


# --- the version, from one source ----------------------------------------------------------


def test_version_numbers(info):
    assert info.version_numbers("0.1.0") == (0, 1, 0, 0)
    assert info.version_numbers("2.3") == (2, 3, 0, 0)
    assert info.version_numbers("1.2.3.4") == (1, 2, 3, 4)
    assert info.version_numbers("1.4.0rc2") == (1, 4, 0, 0)
    assert info.short_version("1.4.0rc2") == "1.4.0"
    with pytest.raises(ValueError, match="release number"):
        info.version_numbers("dev")


def test_windows_version_resource_is_current_and_carries_the_version(info, version):
    path = PACKAGING / "windows" / "version_info.txt"
    text = path.read_text(encoding="utf-8")
    assert text == info.render_version_info(version), "run packaging/build.py to regenerate it"

    # Evaluate it the way PyInstaller does (eval), with recording stand-ins for its classes.
    def record(kind: str):
        return lambda *args, **kwargs: (kind, args, kwargs)

    names = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "VarFileInfo")
    namespace = {name: record(name) for name in (*names, "VarStruct")}
    namespace["StringStruct"] = lambda key, value: (key, value)
    kind, _, top = eval(text, namespace)  # the file is ours, generated above
    assert kind == "VSVersionInfo"
    fixed = top["ffi"][2]
    numbers = info.version_numbers(version)
    assert fixed["filevers"] == numbers
    assert fixed["prodvers"] == numbers
    table = dict(top["kids"][0][1][0][0][1][1])
    assert table["FileVersion"] == version
    assert table["ProductVersion"] == version
    assert table["OriginalFilename"] == "rethink-desktop.exe"


def test_info_plist_keys(info, version):
    plist = info.info_plist(version)
    assert plist["CFBundleShortVersionString"] == info.short_version(version)
    assert re.fullmatch(r"\d+\.\d+\.\d+", plist["CFBundleShortVersionString"])
    assert plist["NSHighResolutionCapable"] is True
    assert re.fullmatch(r"\d+\.\d+", plist["LSMinimumSystemVersion"])
    assert plist["NSHumanReadableCopyright"]
    assert info.APP_ID == "org.rethink.desktop"


# --- Linux metadata ------------------------------------------------------------------------


def test_desktop_entry(info):
    path = PACKAGING / "linux" / f"{info.APP_ID}.desktop"
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(path, encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application"
    assert desktop["Name"] == info.DISPLAY_NAME
    assert desktop["Exec"].split()[0] == info.APP_NAME
    assert desktop["Icon"] == info.APP_ID
    assert desktop["Terminal"] == "false"
    assert desktop["Categories"].endswith(";")
    assert "Office" in desktop["Categories"].split(";")
    if shutil.which("desktop-file-validate"):
        result = subprocess.run(
            ["desktop-file-validate", str(path)], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_appstream_metainfo(info, version):
    path = PACKAGING / "linux" / f"{info.APP_ID}.metainfo.xml"
    root = ET.parse(path).getroot()
    assert root.tag == "component"
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == info.APP_ID
    assert root.findtext("name") == info.DISPLAY_NAME
    assert root.findtext("summary")
    assert root.find("description/p") is not None
    assert root.findtext("launchable") == f"{info.APP_ID}.desktop"
    assert root.find("content_rating") is not None
    releases = root.findall("releases/release")
    assert releases, "no <release>"
    assert releases[0].get("version") == version, "the newest release must match pyproject"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", releases[0].get("date", ""))
    if shutil.which("appstreamcli"):
        result = subprocess.run(
            ["appstreamcli", "validate", "--no-net", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


# --- Windows installer ---------------------------------------------------------------------


def test_inno_setup_script_installs_per_user_and_keeps_the_data(info):
    text = (PACKAGING / "windows" / "rethink.iss").read_text(encoding="utf-8")
    setting = dict(re.findall(r"^(\w+)=(.*)$", text, flags=re.MULTILINE))
    assert setting["PrivilegesRequired"] == "lowest"
    assert setting["DefaultDirName"] == r"{localappdata}\Programs\{#AppName}"
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", setting["AppId"])
    assert setting["SetupIconFile"].endswith(r"resources\icons\rethink.ico")
    assert f'#define AppName "{info.DISPLAY_NAME}"' in text
    assert rf"dist\{info.APP_NAME}" in text  # what rethink.spec's COLLECT writes
    assert re.search(r'Name: "desktopicon";.*Flags: unchecked', text)
    assert "[UninstallDelete]" not in text.replace("; No [UninstallDelete]", "")


# --- icons ---------------------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module")
def icons() -> ModuleType:
    return load("make_icons")


def test_png_icons_have_their_sizes(icons):
    for size in icons.PNG_SIZES:
        assert png_size(icons.png_path(size).read_bytes()) == (size, size)


def test_ico_is_a_valid_container_with_every_size(icons):
    entries = icons.ico_entries((ICONS / "rethink.ico").read_bytes())
    assert [size for size, _ in entries] == sorted(icons.ICO_SIZES)
    for size, png in entries:
        assert png_size(png) == (size, size)


def test_icns_is_a_valid_container_with_every_size(icons):
    entries = icons.icns_entries((ICONS / "rethink.icns").read_bytes())
    assert [kind for kind, _ in entries] == [kind for kind, _ in icons.ICNS_TYPES]
    for (kind, png), (_, size) in zip(entries, icons.ICNS_TYPES, strict=True):
        assert png_size(png) == (size, size), kind


def test_containers_reject_damaged_files(icons):
    ico = (ICONS / "rethink.ico").read_bytes()
    with pytest.raises(ValueError, match="past the end"):
        icons.ico_entries(ico[:200])
    icns = (ICONS / "rethink.icns").read_bytes()
    with pytest.raises(ValueError, match="length"):
        icons.icns_entries(icns[:-1])


def test_generated_icons_match_the_svg(qapp, icons):
    stale = [path.name for path, data in icons.build().items() if not icons.is_current(path, data)]
    assert not stale, f"run packaging/make_icons.py: {stale} differ from rethink.svg"


# --- make targets --------------------------------------------------------------------------


def test_make_package_targets_run_the_build_script():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    package = re.search(r"^package:.*\n((?:\t.*\n)+)", makefile, flags=re.MULTILINE)
    smoke = re.search(r"^package-smoke:.*\n((?:\t.*\n)+)", makefile, flags=re.MULTILINE)
    assert package, "no `package` target"
    assert smoke, "no `package-smoke` target"
    assert "packaging/build.py" in package.group(1)
    assert "packaging/build.py --smoke-only" in smoke.group(1)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux layout and budget")
def test_build_script_has_the_linux_budget(info):
    build = load("build")
    assert info.SIZE_BUDGET_MB == 110
    assert build.frozen_paths(Path("dist")).folder == Path("dist") / info.APP_NAME
    assert build.unexpected("This plugin does not support propagateSizeHints()\n") == []
    assert build.unexpected("Traceback (most recent call last):\n") != []


def fake_linux_build(folder: Path, info: ModuleType) -> Path:
    """A one-folder build laid out as PyInstaller lays out the real one: the program, and
    the resources (icons included) under _internal/rethink_desktop/ (see rethink.spec)."""
    folder.mkdir()
    program = folder / info.APP_NAME
    program.write_text("#!/bin/sh\necho 'Re-Think Desktop 9.9.9'\n", encoding="utf-8")
    program.chmod(0o755)
    shutil.copytree(ROOT / "resources", folder / "_internal" / "rethink_desktop" / "resources")
    return folder


def copied_install_script(folder: Path) -> Path:
    """packaging/linux as IT copies it beside a build: with no source checkout around it."""
    shutil.copytree(PACKAGING / "linux", folder)
    return folder / "install.sh"


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script")
def test_linux_install_script_installs_and_removes_exactly_its_files(tmp_path, info):
    build = fake_linux_build(tmp_path / "build", info)
    prefix = tmp_path / "prefix"
    script = copied_install_script(tmp_path / "copied" / "linux")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "home")}

    def run(*args: str) -> str:
        result = subprocess.run(
            ["sh", str(script), "--prefix", str(prefix), "--from", str(build), *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "9.9.9" in run()
    app = prefix / "lib" / info.APP_NAME / info.APP_NAME
    entry = (prefix / "share" / "applications" / f"{info.APP_ID}.desktop").read_text()
    assert f"Exec={app}" in entry.splitlines()
    assert (prefix / "bin" / info.APP_NAME).resolve() == app.resolve()
    icons = prefix / "share" / "icons" / "hicolor"
    for size in (16, 48, 512):
        assert (icons / f"{size}x{size}" / "apps" / f"{info.APP_ID}.png").is_file()
    assert (icons / "scalable" / "apps" / f"{info.APP_ID}.svg").is_file()
    assert (prefix / "share" / "metainfo" / f"{info.APP_ID}.metainfo.xml").is_file()
    run("--uninstall")
    assert [p for p in prefix.rglob("*") if not p.is_dir()] == []


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script")
def test_linux_install_script_checks_every_file_before_copying_any(tmp_path, info):
    build = fake_linux_build(tmp_path / "build", info)
    (build / "_internal" / "rethink_desktop" / "resources" / "icons" / "rethink-256.png").unlink()
    prefix = tmp_path / "prefix"
    result = subprocess.run(
        ["sh", str(copied_install_script(tmp_path / "copied" / "linux")),
         "--prefix", str(prefix), "--from", str(build)],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "home")},
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "Nothing has been installed" in result.stderr
    assert "rethink-256.png" in result.stderr
    assert not prefix.exists()
