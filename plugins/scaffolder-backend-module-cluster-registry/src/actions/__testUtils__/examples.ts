import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/**
 * Each example is one step of this action whose input the scaffolder would
 * accept: only declared inputs, and every required one (like the
 * scaffolder's check of the input against the action's JSON schema).
 */
export function expectStepsOfAction(
  action: { id: string; schema?: { input?: unknown } },
  examples: TemplateExample[],
) {
  const schema = action.schema?.input as {
    properties: Record<string, unknown>;
    required?: string[];
  };
  for (const example of examples) {
    const step = yaml.parse(example.example).steps[0];
    expect(step.action).toBe(action.id);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(Object.keys(step.input)),
    );
    expect(Object.keys(step.input)).toEqual(
      expect.arrayContaining(schema.required ?? []),
    );
  }
}
