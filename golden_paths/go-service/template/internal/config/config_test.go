package config

import "testing"

func env(values map[string]string) func(string) string {
	return func(name string) string { return values[name] }
}

func TestDefaults(t *testing.T) {
	cfg, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{ServiceName: DefaultServiceName, Host: "0.0.0.0", Port: DefaultPort, LogLevel: "info"}
	if cfg != want {
		t.Fatalf("got %+v, want %+v", cfg, want)
	}
}

func TestEnvironmentOverrides(t *testing.T) {
	cfg, err := Load(env(map[string]string{"PORT": "9000", "LOG_LEVEL": "DEBUG", "OTEL_SERVICE_NAME": "other"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Port != 9000 || cfg.LogLevel != "debug" || cfg.ServiceName != "other" || cfg.Addr() != "0.0.0.0:9000" {
		t.Fatalf("unexpected %+v", cfg)
	}
}

func TestBadValuesAreRejected(t *testing.T) {
	for _, values := range []map[string]string{{"PORT": "http"}, {"PORT": "70000"}, {"LOG_LEVEL": "loud"}} {
		if _, err := Load(env(values)); err == nil {
			t.Errorf("%v: expected an error", values)
		}
	}
}
