// A Backstage backend with only the catalog, for platformctl's integration tests.
// Started by .ci/integration.sh with --config pointing at the configuration it writes.
const { createBackend } = require('@backstage/backend-defaults');

const backend = createBackend();
backend.add(import('@backstage/plugin-catalog-backend'));
backend.start();
