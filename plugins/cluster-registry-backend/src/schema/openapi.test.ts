import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { spec } from './openapi/generated/router';

const source = () =>
  YAML.parse(fs.readFileSync(path.join(__dirname, 'openapi.yaml'), 'utf8'));

/** The client half, generated into -common (regenerating it needs Java). */
const clientDir = path.resolve(
  __dirname,
  '../../../cluster-registry-common/src/schema/openapi/generated',
);

describe('the OpenAPI document', () => {
  it('is what the generated router validates against (after editing openapi.yaml, run `yarn generate:openapi`)', () => {
    expect(spec).toEqual(source());
  });

  it("is what -common's generated models and client were made from: every schema with its properties, every operation", () => {
    const doc = source();
    const stale: string[] = [];
    for (const [name, schema] of Object.entries<any>(doc.components.schemas)) {
      // A map (additionalProperties only) is inlined where it is used.
      if (schema.type === 'object' && !schema.properties) continue;
      const file = path.join(clientDir, 'models', `${name}.model.ts`);
      if (!fs.existsSync(file)) {
        stale.push(`no model for ${name}`);
        continue;
      }
      const model = fs.readFileSync(file, 'utf8');
      for (const property of Object.keys(schema.properties ?? {})) {
        if (!new RegExp(`\\b${property}\\??:`).test(model))
          stale.push(`${name}.${property} is not in its model`);
      }
    }
    const client = fs.readFileSync(
      path.join(clientDir, 'apis', 'Api.client.ts'),
      'utf8',
    );
    for (const item of Object.values<any>(doc.paths)) {
      for (const op of Object.values<any>(item)) {
        if (!op?.operationId) continue;
        const method =
          op.operationId[0].toLowerCase() + op.operationId.slice(1);
        if (!client.includes(`public async ${method}(`))
          stale.push(`no client method for ${op.operationId}`);
      }
    }
    // After editing openapi.yaml: `yarn generate:openapi` (needs Java).
    expect(stale).toEqual([]);
  });
});
