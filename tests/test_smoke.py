def test_new_service_local(cli, isolation, tmp_path):
    result = cli("new", "service", "payments", "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["service"] == "payments"
