// An invoice number or customer id with slashes (INV/2026/0001) is one
// encoded path segment in the web app's links, comes back whole from the
// route's params, and goes to the API encoded again (openapi-fetch encodes
// path parameters with encodeURIComponent): the API test TestSlashInKeys
// serves the rest.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import { MemoryRouter, Route, Routes, useParams } from 'react-router';
import { customerPath, invoicePath } from './labels';

function Show() {
  const { key = '' } = useParams();
  return <output>{key}</output>;
}

describe('keys with slashes', () => {
  afterEach(cleanup);
  it.each([
    ['invoice', invoicePath('INV/2026/0001'), '/invoices/INV%2F2026%2F0001', 'invoices', 'INV/2026/0001'],
    ['customer', customerPath('CUST/EU/7'), '/customers/CUST%2FEU%2F7', 'customers', 'CUST/EU/7'],
    ['percent and hash', invoicePath('A%1#2'), '/invoices/A%251%232', 'invoices', 'A%1#2'],
  ])('%s: link %s, param back whole', (_, path, want, base, key) => {
    expect(path).toBe(want);
    render(
      <MemoryRouter initialEntries={[path]}>
        <Routes><Route path={`/${base}/:key`} element={<Show />} /></Routes>
      </MemoryRouter>,
    );
    expect(screen.getByRole('status').textContent).toBe(key);
  });
});
