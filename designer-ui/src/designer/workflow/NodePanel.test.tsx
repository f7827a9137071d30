// The side panel against the real example: a field change rewrites only
// that field of the YAML. (The drawn graph needs a browser: see the e2e.)
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import i18n, { designerNamespaces, ready } from '../../i18n';
import { NodePanel } from './NodePanel';
import { stubBrowser } from '../../testStubs';

const repo = resolve(__dirname, '../../../..');
const escalation = readFileSync(resolve(repo, 'rules-examples/workflows/escalation.yaml'), 'utf8');

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

function Harness({ node, seen }: { node: string; seen: string[] }) {
  const [source, setSource] = useState(escalation);
  return (
    <NodePanel
      source={source}
      node={node}
      roles={[{ value: 'sales_manager' }, { value: 'finance_director' }]}
      templates={[{ value: 'call-task' }]}
      forms={[{ value: 'call-outcome' }]}
      onSourceChange={(t) => {
        seen.push(t);
        setSource(t);
      }}
    />
  );
}

describe('NodePanel', () => {
  it('changes the call stage days as numbers, and only that line of the YAML', async () => {
    await i18n.changeLanguage('en');
    const seen: string[] = [];
    render(<Harness node="call" seen={seen} />);
    expect(screen.getByLabelText('From days overdue')).toHaveProperty('value', '8');
    const to = screen.getByLabelText('Up to days overdue');
    fireEvent.change(to, { target: { value: '15' } });
    const last = seen[seen.length - 1] ?? '';
    expect(last).toBe(escalation.replace('when: invoice.days_overdue >= 8\n', 'when: invoice.days_overdue >= 8 && invoice.days_overdue <= 15\n'));
    expect(screen.getByLabelText('Entry condition (expression)')).toHaveProperty('value', 'invoice.days_overdue >= 8 && invoice.days_overdue <= 15');
  });

  it('edits the English title in place, in Chinese too', async () => {
    await i18n.changeLanguage('zh-CN');
    const seen: string[] = [];
    render(<Harness node="reminder" seen={seen} />);
    fireEvent.change(screen.getByLabelText('标题（英文）'), { target: { value: 'Friendly reminder' } });
    expect(seen[seen.length - 1]).toBe(escalation.replace('{en: Polite reminder,', '{en: Friendly reminder,'));
    await i18n.changeLanguage('en');
  });

  it('a space typed between two words does not quote the YAML value', async () => {
    await i18n.changeLanguage('en');
    const seen: string[] = [];
    render(<Harness node="reminder" seen={seen} />);
    const title = screen.getByLabelText('Title (English)');
    fireEvent.change(title, { target: { value: 'Friendly' } });
    fireEvent.change(title, { target: { value: 'Friendly ' } });
    expect(title).toHaveProperty('value', 'Friendly ');
    fireEvent.change(title, { target: { value: 'Friendly r' } });
    expect(seen).toEqual([
      escalation.replace('{en: Polite reminder,', '{en: Friendly,'),
      escalation.replace('{en: Polite reminder,', '{en: Friendly r,'),
    ]);
  });

  it("shows an approval's routes and edits a route's condition in place", async () => {
    await i18n.changeLanguage('en');
    const seen: string[] = [];
    render(<Harness node="decision" seen={seen} />);
    expect(screen.getByText('When no route below holds.')).toBeTruthy();
    expect(screen.getByLabelText('Route 1: when (expression)')).toHaveProperty('value', 'invoice.currency != "CNY" || invoice.balance >= money("5000.00 CNY")');
    expect(screen.getByLabelText("Route 2: approver's role")).toBeTruthy();
    const before = 'form.decision == "write_off" && form.write_off_amount > money("1000.00 CNY")';
    const after = 'form.decision == "write_off" && form.write_off_amount > money("2000.00 CNY")';
    fireEvent.change(screen.getByLabelText('Route 2: when (expression)'), { target: { value: after } });
    expect(seen[seen.length - 1]).toBe(escalation.replace(`- when: ${before}`, `- when: ${after}`));
  });

  it('says so when the YAML does not parse', async () => {
    await i18n.changeLanguage('en');
    render(<NodePanel source={'spec: ['} node="call" onSourceChange={() => {}} />);
    expect(screen.getByText(/Fix the YAML first/)).toBeTruthy();
  });
});
