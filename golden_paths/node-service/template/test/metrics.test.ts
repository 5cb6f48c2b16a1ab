import { describe, expect, it } from "vitest";
import { testApp } from "./helpers";

function sample(text: string, name: string, labels: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

describe("metrics", () => {
  it("counts requests by route template", async () => {
    const { app } = testApp();
    await app.inject({ method: "GET", url: "/" });
    await app.inject({ method: "GET", url: "/" });
    await app.inject({ method: "GET", url: "/no/such/path" });
    const response = await app.inject({ method: "GET", url: "/metrics" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toContain("text/plain");
    const text = response.body;
    expect(sample(text, "http_requests_total", 'method="GET",route="/",status="200"')).toBe(2);
    expect(sample(text, "http_requests_total", 'method="GET",route="unmatched",status="404"')).toBe(
      1,
    );
    expect(text).toContain("http_request_duration_seconds_bucket");
    expect(text).toContain("process_cpu_user_seconds_total");
    await app.close();
  });
});
