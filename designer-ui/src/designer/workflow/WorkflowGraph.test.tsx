// A smoke test of the drawn graph in jsdom (with the stubs React Flow needs
// there): the stages are labelled buttons that select their node, the
// header shows the stop and pause conditions, problems reach their stage.
// How it looks is checked in a browser.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import i18n, { designerNamespaces, ready } from '../../i18n';
import { WorkflowGraph } from './WorkflowGraph';
import { parseWorkflow } from './workflowModel';
import { stubBrowser } from '../../testStubs';

const repo = resolve(__dirname, '../../../..');
const model = parseWorkflow(readFileSync(resolve(repo, 'rules-examples/workflows/escalation.yaml'), 'utf8')).model!;

beforeAll(async () => {
  stubBrowser();
  await ready;
});

// the designer's catalogs load with its pages, not with the app
beforeAll(async () => {
  await ready;
  await i18n.loadNamespaces(designerNamespaces);
});

afterEach(cleanup);

describe('WorkflowGraph', () => {
  it('draws the four stages as buttons that select them', async () => {
    await i18n.changeLanguage('en');
    const selected: string[] = [];
    render(
      <WorkflowGraph
        model={model}
        problems={[{ line: 58, column: 15, message: 'unknown form "call-outcom"' }, { line: 9, column: 13, message: 'on the workflow' }]}
        highlight={{ changed: ['call'] }}
        positions={{ review: { invoices: ['INV-1', 'INV-2'] } }}
        selected="decision"
        onSelect={(n) => selected.push(n)}
      />,
    );
    const call = screen.getByRole('button', { name: /^Human task Phone call \(call\), from 8 days overdue: open its settings\. Changed\. 1 problem$/ });
    fireEvent.click(call);
    expect(selected).toEqual(['call']);
    expect(screen.getByRole('button', { name: /Polite reminder \(reminder\), days overdue 1–7/ })).toBeTruthy();
    expect(screen.getByRole('button', { name: /\(review\).*2 invoices here/ })).toBeTruthy();
    expect(screen.getByRole('button', { name: /\(decision\)/, pressed: true })).toBeTruthy();
    expect(screen.getByText('invoice.balance <= 0')).toBeTruthy();
    expect(screen.getByText('invoice.plan.active (reason: payment_plan)')).toBeTruthy();
    expect(screen.getByText('line 9, column 13: on the workflow')).toBeTruthy();
  });

  it('speaks Chinese', async () => {
    await i18n.changeLanguage('zh-CN');
    render(<WorkflowGraph model={model} />);
    expect(screen.getByRole('button', { name: /^人工任务 电话催收（call），逾期 8 天起：打开设置$/ })).toBeTruthy();
    expect(screen.getByRole('region', { name: '工作流 逾期升级催收 的流程图' })).toBeTruthy();
    await i18n.changeLanguage('en');
  });
});
