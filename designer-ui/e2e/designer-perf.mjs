// The designer's drawing speed in a real browser (issue 17's budget: a
// 30-stage workflow lays out and draws ≤ 200 ms). A benchmark, not a test:
// run by `make bench-ui` after perf.mjs, never by `make test`. It saves a
// generated 30-stage workflow as a draft on a copy of the demo database,
// then times, over several runs, from the moment the graph starts laying
// out its model (a performance mark) to the first frame with the 30 stages
// drawn as buttons; and, for the whole page, from the moment the designer
// has the text (the version history's answer ends) to the same frame; both
// in the page's own clock.
//
//   RECOUP_E2E_TEMPLATE=designer-ui/e2e/out/db/template.db node e2e/designer-perf.mjs
//
// (the template is the demo database e2e/run.mjs prepares).
import { apiCall, launch, login, newPage, startServer, users } from './harness.mjs';

const runs = Number(process.env.RECOUP_PERF_RUNS ?? 7);
const stages = 30;
const nodes = Array.from({ length: stages }, (_, i) => `    - name: s${i + 1}
      title: {en: Stage ${i + 1}, zh-CN: 阶段 ${i + 1}}
      when: invoice.days_overdue >= ${i * 3 + 1}
      actions:
        - notify: {channel: email, to: customer.email, template: reminder-email}`).join('\n');
const source = `apiVersion: recoup/v1
kind: Workflow
metadata:
  name: perf-thirty
  title: {en: Thirty stages, zh-CN: 三十个阶段}
spec:
  on: invoice
  start_when: invoice.balance > 0 && invoice.days_overdue >= 1
  stop_when: invoice.balance <= 0
  nodes:
${nodes}
`;

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
const [server, browser] = await Promise.all([startServer('designer-perf'), launch()]);
try {
  const page = await newPage(browser);
  await login(page, server.url, users.admin);
  const saved = await apiCall(page, 'PUT', '/api/definitions/Workflow/perf-thirty/draft', { source, base_version: 0 });
  if (saved.status !== 200 || !saved.body.valid) throw new Error(`the generated workflow: ${JSON.stringify(saved.body)}`);
  // every frame from the page's start, the first one with every stage drawn
  // is noted in the page's clock (not when the test's polling first looks)
  await page.addInitScript((n) => {
    const look = () => {
      if (document.querySelectorAll('.react-flow .wfg-step-button').length >= n) window.drawnAt = performance.now();
      else requestAnimationFrame(look);
    };
    requestAnimationFrame(look);
  }, stages);
  const xs = [];
  const whole = [];
  for (let i = 0; i < runs; i++) {
    await page.goto(`${server.url}/designer`);
    await page.goto(`${server.url}/designer/Workflow/perf-thirty`);
    await page.waitForFunction(() => window.drawnAt !== undefined);
    // both instants in the page's clock: when the history's answer ended,
    // and the first frame with every stage drawn
    const [arrived, laidOut, drawn] = await page.evaluate(() => [
      performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/definitions/Workflow/perf-thirty/history')).at(-1)?.responseEnd ?? NaN,
      performance.getEntriesByName('recoup:workflow-layout')[0]?.startTime ?? NaN,
      window.drawnAt,
    ]);
    xs.push(drawn - laidOut);
    whole.push(drawn - arrived);
  }
  const m = median(xs);
  const show = (ys) => `median ${median(ys).toFixed(0)} ms, worst ${Math.max(...ys).toFixed(0)} ms (${runs} runs: ${ys.map((y) => y.toFixed(0)).join(' ')})`;
  console.log(`designer: a ${stages}-stage workflow laid out and drawn ${show(xs)}, target ≤ 200 ms`);
  console.log(`designer: the page, from its text's arrival (parsing the YAML, the page around the graph) to the graph drawn ${show(whole)}`);
  process.exitCode = m <= 200 ? 0 : 1;
} finally {
  await browser.close();
  await server.stop();
}
