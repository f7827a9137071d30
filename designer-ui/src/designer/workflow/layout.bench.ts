// The budget: a 30-node workflow lays out and draws in 200 ms. The
// drawing needs a browser; this measures what comes before it here: reading
// the YAML into the model and placing the boxes.
import { bench, describe } from 'vitest';
import { layoutWorkflow } from './layout';
import { parseWorkflow } from './workflowModel';
import { generatedWorkflow } from './generatedWorkflow';

const text = generatedWorkflow(30);
const model = parseWorkflow(text).model!;

describe('a 30-node workflow', () => {
  bench('parse the YAML into the model', () => {
    parseWorkflow(text);
  });
  bench('lay out the model (dagre, left to right)', () => {
    layoutWorkflow(model);
  });
  bench('parse and lay out', () => {
    layoutWorkflow(parseWorkflow(text).model!);
  });
});
