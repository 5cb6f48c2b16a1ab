/**
 * Loaded with `node --require ./dist/instrumentation.js` so the tracing SDK patches `http`
 * before the web framework loads it.
 */

import { startTracing } from "./tracing";

startTracing();
