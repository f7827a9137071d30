// @vitest-environment node
// The committed client types must be what openapi-typescript makes of
// api/openapi.yaml today: run `npm run gen:api` after changing the spec.
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import openapiTS, { astToString } from 'openapi-typescript';

describe('schema.gen.ts', () => {
  it('matches api/openapi.yaml', async () => {
    const spec = fileURLToPath(new URL('../../../api/openapi.yaml', import.meta.url));
    const ast = await openapiTS(pathToFileURL(spec));
    const committed = readFileSync(fileURLToPath(new URL('./schema.gen.ts', import.meta.url)), 'utf8');
    // The CLI adds a banner before the generated text.
    expect(committed.endsWith(astToString(ast)), 'src/api/schema.gen.ts is out of date: run npm run gen:api').toBe(true);
  }, 30_000);
});
