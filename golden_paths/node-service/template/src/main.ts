/** Runs the service: `npm start` (node --require ./dist/instrumentation.js dist/main.js). */

import { buildApp } from "./app";
import { loadConfig } from "./config";
import { shutdownTracing } from "./tracing";

async function main(): Promise<void> {
  const config = loadConfig();
  const app = buildApp({ config });
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) {
      return;
    }
    stopping = true;
    app.log.info({ signal }, "stopping");
    await app.close(); // finishes requests in flight
    await shutdownTracing(); // flushes spans
    app.log.info("stopped");
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
  await app.listen({ host: config.host, port: config.port });
}

main().catch((error: unknown) => {
  console.error(JSON.stringify({ level: "fatal", message: String(error) }));
  process.exit(1);
});
