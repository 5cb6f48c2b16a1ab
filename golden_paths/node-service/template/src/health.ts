/**
 * Liveness and readiness.
 *
 * `/healthz` answers as long as the process serves HTTP: it never checks dependencies, so a
 * database outage does not make Kubernetes restart every replica. `/readyz` fails while the
 * service starts or drains, and when a registered readiness check fails.
 */

export type ReadinessCheck = () => Promise<boolean>;

export class Readiness {
  accepting = false;
  private readonly checks = new Map<string, ReadinessCheck>();

  constructor(private readonly timeoutMs = 2000) {}

  /** Registers a dependency check (e.g. a database ping) that must pass for readiness. */
  addCheck(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** Names of what is not ready; empty when the service is ready. */
  async failing(): Promise<string[]> {
    if (!this.accepting) {
      return ["accepting"];
    }
    const names = [...this.checks.keys()];
    const results = await Promise.all(names.map((name) => this.run(name)));
    return names.filter((_, index) => !results[index]);
  }

  private async run(name: string): Promise<boolean> {
    const check = this.checks.get(name);
    if (!check) {
      return false;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.timeoutMs);
    });
    try {
      return await Promise.race([check(), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
