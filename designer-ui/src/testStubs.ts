// What the unit tests give jsdom before rendering: antd and
// React Flow read browser parts jsdom lacks. Imported by tests only.

/** stubBrowser installs matchMedia (no query matches: a phone's width), ResizeObserver and DOMMatrixReadOnly. */
export function stubBrowser(): void {
  Object.defineProperty(window, 'matchMedia', {
    writable: true,
    value: (query: string) => ({
      matches: false, media: query, onchange: null,
      addListener: () => {}, removeListener: () => {}, addEventListener: () => {}, removeEventListener: () => {}, dispatchEvent: () => false,
    }),
  });
  window.ResizeObserver ??= class { observe() {} unobserve() {} disconnect() {} };
  class Matrix {
    m22 = 1;
    constructor(_t?: string) {}
  }
  (globalThis as unknown as { DOMMatrixReadOnly: unknown }).DOMMatrixReadOnly ??= Matrix;
}
