"""`golden-path list` and `golden-path show`."""

from tests.helpers import build_golden_path, configure_golden_path


def test_list_shows_bundled_with_version(cli):
    result = cli("golden-path", "list", "--json")
    assert result.exit_code == 0, result.stderr
    paths = {gp["name"]: gp for gp in result.json()["golden_paths"]}
    assert paths["python-service"]["origin"] == "bundled"
    assert paths["python-service"]["trusted"] is True
    assert paths["python-service"]["version"].count(".") == 2


def test_list_includes_configured_untrusted(cli, tmp_path):
    gp = build_golden_path(tmp_path / "gp", name="tiny", version="2.3.4")
    configure_golden_path(tmp_path / "work", "tiny", gp)
    result = cli("golden-path", "list")
    assert result.exit_code == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("tiny"))
    assert "2.3.4" in line and "(untrusted)" in line


def test_show_lists_questions_with_defaults_and_choices(cli, tmp_path):
    gp = build_golden_path(
        tmp_path / "gp",
        questions="tier:\n  type: str\n  choices: [gold, silver]\n  default: gold\n  help: Tier\n"
        "team:\n  type: str\n  help: Team\n"
        "derived:\n  type: str\n  default: x\n  when: false\n",
    )
    configure_golden_path(tmp_path / "work", "tiny", gp)
    doc = cli("golden-path", "show", "tiny", "--json").json()
    questions = {q["name"]: q for q in doc["questions"]}
    assert questions["tier"] == {
        "name": "tier",
        "type": "str",
        "help": "Tier",
        "default": "gold",
        "choices": ["gold", "silver"],
        "required": False,
        "secret": False,
        "computed_from": [],
        "default_template": None,
    }
    assert questions["team"]["required"] is True
    assert "derived" not in questions
    human = cli("golden-path", "show", "tiny")
    assert "gold, silver" in human.stdout and "required" in human.stdout


def test_show_unknown_name(cli):
    result = cli("golden-path", "show", "nope")
    assert result.exit_code == 2
    assert "error: no golden path named 'nope'" in result.stderr
    assert "python-service" in result.stderr


def test_broken_configured_golden_path_is_a_clear_error(cli, tmp_path):
    configure_golden_path(tmp_path / "work", "tiny", tmp_path / "missing")
    result = cli("golden-path", "show", "tiny")
    assert result.exit_code == 1
    assert "no copier.yml in" in result.stderr
    gp = build_golden_path(tmp_path / "gp")
    (gp / "golden-path.yaml").write_text("name: tiny\nversion: one\ndescription: x\n")
    configure_golden_path(tmp_path / "work", "other", gp)
    result = cli("golden-path", "show", "other")
    assert result.exit_code == 1
    assert "golden-path.yaml: field 'version'" in result.stderr


def test_list_reads_only_golden_path_yaml(cli, tmp_path):
    gp = build_golden_path(tmp_path / "gp", name="tiny", version="2.3.4")
    configure_golden_path(tmp_path / "work", "tiny", gp)
    (gp / "copier.yml").write_text("service_name: [unclosed\n")  # show would fail on it
    listed = cli("golden-path", "list", "--json")
    assert listed.exit_code == 0, listed.stderr
    assert "tiny" in {p["name"] for p in listed.json()["golden_paths"]}
    shown = cli("golden-path", "show", "tiny")
    assert shown.exit_code != 0 and "copier.yml" in shown.stderr
