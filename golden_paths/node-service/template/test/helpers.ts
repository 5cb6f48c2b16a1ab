import { Writable } from "node:stream";
import { buildApp } from "../src/app";
import { loadConfig } from "../src/config";

export interface LogRecord {
  [key: string]: unknown;
  message?: string;
}

/** An application whose JSON log lines are collected in `logs`. */
export function testApp(): { app: ReturnType<typeof buildApp>; logs: LogRecord[] } {
  const logs: LogRecord[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) {
        if (line.trim() !== "") {
          logs.push(JSON.parse(line) as LogRecord);
        }
      }
      done();
    },
  });
  const app = buildApp({ config: loadConfig({ LOG_LEVEL: "debug" }), logStream });
  return { app, logs };
}
