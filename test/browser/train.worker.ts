// The test page's Web Worker: the scenario, exposed to the page with nerva's worker helper.
import * as nv from 'nerva';
import { scenario } from './scenario.js';

// NOTE: `node --test dist/test/` also loads this file; only a Web Worker has addEventListener here.
if (typeof addEventListener === 'function') nv.worker.expose({
  scenario: async ({ threads }: { threads: number }, progress) => {
    progress(`training in a Web Worker on ${threads} thread(s)…`);
    return scenario(nv, threads);
  },
});
